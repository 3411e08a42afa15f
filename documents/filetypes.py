"""What a file is, from its content: the allowlist, executables, zip bombs and text.

The type comes from the bytes (puremagic's signature database for binary formats, the
zip directory for office formats, a decode for text), never from the name; the name's
extension must then agree with it. Everything reads the file in chunks or reads only
the zip's central directory, so a 500 MB upload is never held in memory.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import puremagic

CHUNK_SIZE = 1024 * 1024
HEAD_SIZE = 8192


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str
    extensions: frozenset[str]


def _kind(key: str, label: str, content_type: str, *extensions: str) -> Kind:
    return Kind(key, label, content_type, frozenset(extensions))


KINDS = {
    kind.key: kind
    for kind in (
        _kind("pdf", "PDF", "application/pdf", ".pdf"),
        _kind("png", "PNG image", "image/png", ".png"),
        _kind("jpeg", "JPEG image", "image/jpeg", ".jpg", ".jpeg"),
        _kind("gif", "GIF image", "image/gif", ".gif"),
        _kind("tiff", "TIFF image", "image/tiff", ".tif", ".tiff"),
        _kind(
            "docx",
            "Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        _kind(
            "xlsx",
            "Excel spreadsheet",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        _kind(
            "pptx",
            "PowerPoint presentation",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx",
        ),
        _kind("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", ".odt"),
        _kind(
            "ods",
            "OpenDocument spreadsheet",
            "application/vnd.oasis.opendocument.spreadsheet",
            ".ods",
        ),
        _kind("rtf", "Rich text document", "application/rtf", ".rtf"),
        _kind("txt", "Plain text", "text/plain", ".txt"),
        _kind("csv", "CSV file", "text/csv", ".csv"),
        _kind("eml", "Email message", "message/rfc822", ".eml"),
    )
}
ALLOWED_EXTENSIONS = frozenset(ext for kind in KINDS.values() for ext in kind.extensions)
# Shown in the browser; everything else is only ever downloaded. (SVG is not allowed at all:
# it is a script container.)
PREVIEWABLE_CONTENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif"})

# Binary formats puremagic names by extension, and the kind each is.
_MAGIC_EXTENSIONS = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".gif": "gif",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".rtf": "rtf",
}
# Programs and scripts, whatever their name says.
_EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows (PE, and DOS)
    b"\x7fELF",  # Linux and most Unix
    b"#!",  # scripts with an interpreter line
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\x00asm",  # WebAssembly
)
_ARCHIVE_EXTENSIONS = (
    ".zip",
    ".7z",
    ".rar",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".tar",
    ".cab",
    ".jar",
    ".war",
    ".apk",
    ".lzh",
    ".arj",
    ".z",
    ".zst",
)
_OFFICE_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".xlsm", ".docm")
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_OOXML_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
_MAIL_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"mime-version:")
# Text may hold tabs, line ends and form feeds, but no other control characters.
_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


class Refused(Exception):
    """The file is not accepted; the message says why, in words for the person uploading."""


@dataclass(frozen=True)
class ZipLimits:
    max_uncompressed_bytes: int
    max_ratio: int
    max_members: int


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(CHUNK_SIZE):
        yield chunk


def _head(file: IO[bytes]) -> bytes:
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    return head


def _magic_kinds(file: IO[bytes]) -> set[str]:
    try:
        matches = puremagic.magic_stream(file)
    except (puremagic.PureError, ValueError):
        return set()
    finally:
        file.seek(0)
    return {_MAGIC_EXTENSIONS[m.extension] for m in matches if m.extension in _MAGIC_EXTENSIONS}


def check_zip(file: IO[bytes], limits: ZipLimits) -> str:
    """The office format of a zip, from its central directory alone; Refused for a bomb."""
    try:
        archive = zipfile.ZipFile(file)  # reads the central directory, extracts nothing
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Refused("it is a damaged or unreadable zip-based document") from error
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise Refused(f"it holds more than {limits.max_members:,} parts, like a zip bomb")
        total = 0
        offsets: set[int] = set()
        for member in members:
            if member.header_offset in offsets:
                raise Refused("its parts overlap each other, like a zip bomb")
            offsets.add(member.header_offset)
            total += member.file_size
            if total > limits.max_uncompressed_bytes:
                raise Refused(
                    "it would expand to more than "
                    f"{limits.max_uncompressed_bytes // (1024 * 1024):,} MB, like a zip bomb"
                )
            # A small part can compress very well honestly; a big one that does is a bomb.
            if member.file_size > 1024 * 1024 and member.file_size > limits.max_ratio * max(
                member.compress_size, 1
            ):
                raise Refused("it is compressed far more than a real document, like a zip bomb")
            name = member.filename.lower()
            if name.endswith(_ARCHIVE_EXTENSIONS):
                raise Refused("it has another archive inside it")
            if name.endswith(_OFFICE_EXTENSIONS) and not name.startswith(
                ("word/embeddings/", "xl/embeddings/", "ppt/embeddings/")
            ):
                raise Refused("it has another archive inside it")
        names = {member.filename for member in members}
        if "mimetype" in names:
            mimetype = archive.getinfo("mimetype")
            if mimetype.file_size <= 100:
                kind = _ODF_MIMETYPES.get(archive.read("mimetype").strip())
                if kind:
                    return kind
        if "[Content_Types].xml" in names:
            for part, kind in _OOXML_PARTS.items():
                if part in names:
                    return kind
    raise Refused("it is a zip archive, not a document of an allowed type")


def _text_kind(file: IO[bytes], extension: str) -> str | None:
    """'txt', 'csv' or 'eml' for readable text (UTF-8, or Windows-1252); None otherwise."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in _chunks(file):
                text = decoder.decode(chunk)
                if _TEXT_CONTROL.search(text):
                    return None
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        break
    else:
        return None
    if extension == ".eml":
        head = _head(file).lower()
        first_lines = head.splitlines()[:40]
        if sum(1 for line in first_lines if line.startswith(_MAIL_HEADERS)) >= 2:
            return "eml"
        return None
    return "csv" if extension == ".csv" else "txt"


def _is_markup(head: bytes) -> bool:
    """SVG or HTML (a file that starts with markup): refused, even named as text."""
    lowered = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    return lowered.startswith(b"<") and any(
        marker in lowered for marker in (b"<svg", b"<html", b"<!doctype html", b"<script")
    )


def detect(file: IO[bytes], *, extension: str, zip_limits: ZipLimits) -> Kind:
    """The allowed kind of this file, checked against its extension; Refused otherwise."""
    head = _head(file)
    if head.startswith(_EXECUTABLE_SIGNATURES):
        raise Refused("it is a program or script, not a document")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        key = check_zip(file, zip_limits)
    else:
        kinds = _magic_kinds(file)
        if len(kinds) == 1:
            key = kinds.pop()
        elif _is_markup(head):
            raise Refused("it is an SVG image or web page, which can run scripts")
        elif b"\x00" not in head and (key := _text_kind(file, extension) or "") != "":
            pass
        else:
            raise Refused(
                "its content is not one of the allowed types (PDF, images, office "
                "documents, text, CSV or email)"
            )
    kind = KINDS[key]
    if extension not in kind.extensions:
        raise Refused(
            f"its name ends in {extension or 'no extension'} but its content is a {kind.label}"
        )
    return kind
