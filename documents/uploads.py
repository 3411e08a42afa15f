"""Receiving files: a streaming upload handler and the checks every file must pass.

Files arrive through `DocumentUploadHandler`, which writes each to a temporary file as
it comes (never whole into memory), stops keeping data past the size limit, and keeps
the filename exactly as sent, so a name with a path in it is refused rather than quietly
shortened. `inspect_upload` then checks a file in chunks: name, size, type from the
content, and the virus scanner.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser

from documents import scanner
from documents.filetypes import Kind, Refused, ZipLimits, detect
from documents.models import DocumentVersion

HASH_CHUNK_SIZE = 1024 * 1024
MAX_FILENAME_LENGTH = 255


class RawNameMultiPartParser(MultiPartParser):
    """Django's parser, except that file names reach the handler as they were sent."""

    def sanitize_file_name(self, file_name: str) -> str | None:
        return file_name or None


class DocumentUploadHandler(TemporaryFileUploadHandler):
    """Each file to a temporary file on disk; past the size limit, the rest is discarded."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit: int = settings.DOCUMENT_MAX_UPLOAD_BYTES
        self.raw_name = ""
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.raw_name = self.file_name or ""
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            return None  # counted, not kept: the file will be refused as too large
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        file = super().file_complete(min(file_size, self.received))
        if file is not None:
            setattr(file, "raw_name", self.raw_name)  # noqa: B010 (the name as sent)
            setattr(file, "received_size", self.received)  # noqa: B010 (kept or not)
        return file


def parse_upload(request: HttpRequest) -> None:
    """Read a multipart POST through the document handler into request.POST/FILES."""
    handler = DocumentUploadHandler(request)
    parser = RawNameMultiPartParser(request.META, request, [handler], request.encoding)
    post, files = parser.parse()
    request._post, request._files = post, files  # type: ignore[attr-defined]


@dataclass
class IncomingFile:
    """An uploaded file that passed every check, ready to store."""

    upload: UploadedFile
    filename: str
    kind: Kind
    size: int
    sha256: str
    scan_result: str


def check_filename(name: str) -> str:
    """The name as sent, if it is acceptable; Refused with the reason otherwise."""
    if not name.strip():
        raise Refused("it has no name")
    if len(name) > MAX_FILENAME_LENGTH:
        raise Refused(f"its name is longer than {MAX_FILENAME_LENGTH} characters")
    if "/" in name or "\\" in name:
        raise Refused("its name contains a folder path (/ or \\)")
    if any(unicodedata.category(character) in ("Cc", "Cf") for character in name):
        raise Refused("its name contains control characters")
    if name.strip(" .") in ("", ".."):
        raise Refused("its name is not a file name")
    if name != name.strip():
        raise Refused("its name starts or ends with a space")
    return unicodedata.normalize("NFC", name)


def display_name(upload: UploadedFile) -> str:
    """A printable form of a file's name for error messages (which may be why it was refused)."""
    raw = str(getattr(upload, "raw_name", upload.name or ""))
    printable = "".join(
        character if unicodedata.category(character) not in ("Cc", "Cf") else "?"
        for character in raw
    )
    return printable if len(printable) <= 80 else printable[:77] + "..."


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(HASH_CHUNK_SIZE):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def inspect_upload(upload: UploadedFile) -> IncomingFile:
    """Check one uploaded file (name, size, type, viruses); Refused says why it is not taken."""
    name = check_filename(str(getattr(upload, "raw_name", upload.name or "")))
    size = int(getattr(upload, "received_size", upload.size or 0))
    if size == 0:
        raise Refused("it is empty")
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    if size > limit:
        raise Refused(f"it is larger than {_megabytes(limit)}")
    extension = os.path.splitext(name)[1].lower()
    kind = detect(
        upload.file,  # type: ignore[arg-type]
        extension=extension,
        zip_limits=ZipLimits(
            max_uncompressed_bytes=settings.DOCUMENT_ZIP_MAX_UNCOMPRESSED_BYTES,
            max_ratio=settings.DOCUMENT_ZIP_MAX_RATIO,
            max_members=settings.DOCUMENT_ZIP_MAX_MEMBERS,
        ),
    )
    scan_result = DocumentVersion.ScanResult.NOT_SCANNED
    if scanner.is_configured():
        upload.seek(0)
        try:
            outcome = scanner.scan_chunks(upload.chunks(scanner.CHUNK_SIZE))
        except scanner.ScanUnavailable as error:
            raise Refused("it could not be checked for viruses: try again later") from error
        if not outcome.is_clean:
            raise Refused(f"a virus was found in it ({outcome.signature})")
        scan_result = DocumentVersion.ScanResult.CLEAN
    return IncomingFile(
        upload=upload,
        filename=name,
        kind=kind,
        size=size,
        sha256=_sha256(upload),
        scan_result=scan_result,
    )


def _megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size:,} bytes"
