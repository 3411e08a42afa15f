"""The case file export's ZIP: the current version of each attachment, and an index.csv.

Written to a temporary file one attachment at a time, each copied from storage in
blocks: a record of large scans never sits in memory.
"""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from django.utils import timezone

from documents.models import Document, document_storage

INDEX_NAME = "index.csv"
INDEX_COLUMNS = [
    "file",
    "document_id",
    "title",
    "category",
    "document_date",
    "confidentiality",
    "version",
    "original_filename",
    "content_type",
    "size_bytes",
    "sha256",
    "uploaded_by",
    "uploaded_at",
]
# Formats that are compressed already: storing them saves time and loses nothing.
_STORED_TYPES = ("application/pdf", "image/", "application/zip", "application/vnd.openxml")
_COPY_BLOCK = 1024 * 1024
MISSING = "(missing from storage)"
NAME_LIMIT = 120


def entry_name(number: int, original_filename: str) -> str:
    """A safe name inside the ZIP: numbered, no folders, no control characters."""
    cleaned = "".join(
        "_" if character in '/\\:*?"<>|' or unicodedata.category(character)[0] == "C" else character
        for character in unicodedata.normalize("NFC", original_filename)
    ).strip(" .")
    if len(cleaned) > NAME_LIMIT:
        stem, dot, extension = cleaned.rpartition(".")
        extension = extension[:10] if dot else ""
        cleaned = (stem if dot else cleaned)[: NAME_LIMIT - len(extension) - 1] + (
            f".{extension}" if extension else ""
        )
    return f"{number:04d}-{cleaned or 'file'}"


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: never run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _copy_in(
    archive: zipfile.ZipFile,
    *,
    name: str,
    storage_name: str,
    content_type: str,
    size: int,
    moment: object,
) -> bool:
    """Copy one stored file into the archive in blocks; False if storage has lost it."""
    info = zipfile.ZipInfo(name, date_time=_zip_time(moment))
    info.compress_type = (
        zipfile.ZIP_STORED if content_type.startswith(_STORED_TYPES) else zipfile.ZIP_DEFLATED
    )
    info.file_size = size
    try:
        source = document_storage().open(storage_name, "rb")
    except OSError:
        return False
    with source, archive.open(info, "w", force_zip64=size > 2**31) as target:
        shutil.copyfileobj(source, target, _COPY_BLOCK)
    return True


def _write_index(archive: zipfile.ZipFile, index: io.StringIO) -> None:
    # A BOM so spreadsheet programs read the names' accents right.
    archive.writestr(INDEX_NAME, "\ufeff" + index.getvalue(), zipfile.ZIP_DEFLATED)


def write_zip(
    documents: Iterable[Document], out: IO[bytes], *, on_file: Callable[[int], None] | None = None
) -> int:
    """Write the attachments and their index to `out`; returns how many files went in.

    A file missing from storage gets its row in the index (marked missing) and no entry.
    """
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(INDEX_COLUMNS)
    count = 0
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for number, document in enumerate(documents, start=1):
            version = document.current_version
            if version is None:
                continue
            name = entry_name(number, version.original_filename)
            # A file lost from storage must not stop the pack: the index says so.
            if not _copy_in(
                archive,
                name=name,
                storage_name=str(version.file.name),
                content_type=version.content_type,
                size=version.size,
                moment=version.uploaded_at,
            ):
                name = MISSING
            writer.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (
                        name,
                        str(document.pk),
                        document.title,
                        document.category.label,
                        document.document_date.isoformat(),
                        document.get_confidentiality_display(),
                        str(version.number),
                        version.original_filename,
                        version.content_type,
                        str(version.size),
                        version.sha256,
                        str(document.uploaded_by),
                        timezone.localtime(version.uploaded_at).isoformat(timespec="seconds"),
                    )
                ]
            )
            count += name != MISSING
            if on_file is not None:
                on_file(count)
        _write_index(archive, index)
    return count


@dataclass
class ReleaseFile:
    """One file of a subject access disclosure: an original attachment or a redacted copy."""

    title: str  # as released: redactions already applied
    document_date: datetime.date
    storage_name: str
    original_filename: str
    content_type: str
    size: int
    sha256: str
    stored_at: datetime.datetime
    is_redacted_copy: bool


RELEASE_INDEX_COLUMNS = ["file", "title", "document_date", "copy", "size_bytes", "sha256"]


def release_entry_name(number: int, file: ReleaseFile) -> str:
    """A numbered name that says nothing: a file's own name can name a third party.

    The extension is kept (so the file opens), if it is a plain one."""
    extension = file.original_filename.rpartition(".")[2] if "." in file.original_filename else ""
    if not (extension.isascii() and extension.isalnum() and len(extension) <= 10):
        extension = ""
    return f"{number:04d}-document" + (f".{extension.lower()}" if extension else "")


def write_release_zip(files: Iterable[ReleaseFile], out: IO[bytes]) -> int:
    """The attachments released to a requester, with an index that names no member of staff.

    A file missing from storage stops the disclosure: what is sent must be what was
    signed off, so a gap is an error to put right, not a line in the index.
    """
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(RELEASE_INDEX_COLUMNS)
    count = 0
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for number, file in enumerate(files, start=1):
            name = release_entry_name(number, file)
            if not _copy_in(
                archive,
                name=name,
                storage_name=file.storage_name,
                content_type=file.content_type,
                size=file.size,
                moment=file.stored_at,
            ):
                raise FileNotFoundError(f"The file of “{file.title}” is missing from storage.")
            writer.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (
                        name,
                        file.title,
                        file.document_date.isoformat(),
                        "Redacted copy" if file.is_redacted_copy else "Original",
                        str(file.size),
                        file.sha256,
                    )
                ]
            )
            count += 1
        _write_index(archive, index)
    return count


def _zip_time(moment: object) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)  # type: ignore[arg-type]
    year = max(1980, local.year)
    return (year, local.month, local.day, local.hour, local.minute, local.second)
