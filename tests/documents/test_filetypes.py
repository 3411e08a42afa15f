"""What a file is, from its content alone: every allowed kind, and what is refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from documents.filetypes import KINDS, Refused, ZipLimits, detect
from tests.documents import samples

LIMITS = ZipLimits(max_uncompressed_bytes=1024**3, max_ratio=100, max_members=10_000)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", samples.pdf(), "pdf"),
        ("a.png", samples.png(), "png"),
        ("a.jpg", samples.jpeg(), "jpeg"),
        ("a.jpeg", samples.jpeg(), "jpeg"),
        ("a.gif", samples.gif(), "gif"),
        ("a.tif", samples.tiff(), "tiff"),
        ("a.rtf", samples.rtf(), "rtf"),
        ("a.docx", samples.docx(), "docx"),
        ("a.xlsx", samples.xlsx(), "xlsx"),
        ("a.pptx", samples.pptx(), "pptx"),
        ("a.odt", samples.odt(), "odt"),
        ("a.ods", samples.ods(), "ods"),
        ("a.eml", samples.eml(), "eml"),
        ("a.txt", "Seen at home. £20 left for food.".encode(), "txt"),
        ("a.txt", "Café".encode("cp1252"), "txt"),
        ("a.csv", b"name,date\nJayden,2026-02-03\n", "csv"),
        ("a.docx", samples.docx({"word/embeddings/chart.xlsx": samples.xlsx()}), "docx"),
    ],
)
def test_allowed_kinds_are_recognised_from_their_content(
    name: str, content: bytes, kind: str
) -> None:
    extension = name[name.rfind(".") :]

    assert detect(io.BytesIO(content), extension=extension, zip_limits=LIMITS) == KINDS[kind]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.eml", b"just some words\n", "not one of the allowed types"),
        ("a.txt", b"text with a \x1b escape", "not one of the allowed types"),
        ("a.zip", samples._zip({"readme.txt": b"hi"}), "not a document of an allowed type"),
        ("a.docx", b"PK\x03\x04 broken", "damaged or unreadable"),
        ("a.xlsx", samples.docx(), "its content is a Word document"),
    ],
)
def test_refused_content(name: str, content: bytes, reason: str) -> None:
    extension = name[name.rfind(".") :]

    with pytest.raises(Refused, match=reason):
        detect(io.BytesIO(content), extension=extension, zip_limits=LIMITS)


def test_a_zip_with_too_many_parts_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", samples.CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w/>")
        for number in range(20):
            archive.writestr(f"word/media/{number}.xml", b"<x/>")

    with pytest.raises(Refused, match="more than 10 parts"):
        detect(
            io.BytesIO(out.getvalue()),
            extension=".docx",
            zip_limits=ZipLimits(max_uncompressed_bytes=1024**3, max_ratio=100, max_members=10),
        )
