"""The case file export's ZIP: the current version of each attachment, and an index.csv.

Written to a temporary file one attachment at a time, each copied from storage in
blocks: a record of large scans never sits in memory.
"""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
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


def write_zip(
    documents: Iterable[Document], out: IO[bytes], *, on_file: Callable[[int], None] | None = None
) -> int:
    """Write the attachments and their index to `out`; returns how many files went in.

    A file missing from storage gets its row in the index (marked missing) and no entry.
    """
    storage = document_storage()
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
            info = zipfile.ZipInfo(name, date_time=_zip_time(version.uploaded_at))
            info.compress_type = (
                zipfile.ZIP_STORED
                if version.content_type.startswith(_STORED_TYPES)
                else zipfile.ZIP_DEFLATED
            )
            info.file_size = version.size
            try:
                source = storage.open(str(version.file.name), "rb")
            except OSError:
                # A file lost from storage must not stop the pack: the index says so.
                name = MISSING
            else:
                with (
                    source,
                    archive.open(info, "w", force_zip64=version.size > 2**31) as target,
                ):
                    shutil.copyfileobj(source, target, _COPY_BLOCK)
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
        # A BOM so spreadsheet programs read the names' accents right.
        archive.writestr(INDEX_NAME, "\ufeff" + index.getvalue(), zipfile.ZIP_DEFLATED)
    return count


def _zip_time(moment: object) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)  # type: ignore[arg-type]
    year = max(1980, local.year)
    return (year, local.month, local.day, local.hour, local.minute, local.second)
