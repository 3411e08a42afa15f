"""Small real files of each allowed kind, and hostile ones, built in memory for the tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def pdf(text: str = "Assessment") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + content + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack("!I", len(data))
            + kind
            + data
            + struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 64
        + b"\xff\xd9"
    )


def gif() -> bytes:
    return b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def tiff() -> bytes:
    return b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64


def rtf() -> bytes:
    return b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Arial;}} Hello.\\par}"


def _zip(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(first, members[first], compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != first:
                archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document>Hello</w:document>",
            **(extra or {}),
        }
    )


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})


def pptx() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": b"<p/>"})


def odt() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
        first="mimetype",
    )


def ods() -> bytes:
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office/>",
        },
        first="mimetype",
    )


def eml() -> bytes:
    return (
        b"From: school@example.org\r\nTo: duty@council.example\r\nSubject: Concern\r\n"
        b"Date: Mon, 2 Feb 2026 09:00:00 +0000\r\n\r\nWe are worried about Jayden.\r\n"
    )


def zip_bomb() -> bytes:
    """A docx whose one part expands 100 MB of zeros from about 100 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/zeros.bin", "w") as part:
            block = b"\x00" * (1024 * 1024)
            for _ in range(100):
                part.write(block)
    return out.getvalue()


WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
