"""Uploading: one or many files, and every refusal (per file, with nothing stored)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import AuditEvent, User
from clients.models import Person
from documents.models import Document, DocumentVersion
from tests.documents import samples
from tests.documents.conftest import post_files, stored_files
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _summary(response: Any) -> str:
    return response.content.decode()


def test_a_pdf_is_stored_with_its_hash_type_and_audit(
    upload: Callable[..., Any], person: Person, worker: User, document_folder: Path
) -> None:
    content = samples.pdf()

    response = upload(("assessment.pdf", content))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "documents:document-list", kwargs={"person_id": person.pk}
    )
    document = Document.objects.get()
    version = document.current_version
    assert document.title == "Initial assessment"
    assert document.uploaded_by == worker
    assert document.confidentiality == "normal"
    assert str(document.document_date) == "2026-02-03"
    assert version is not None
    assert version.number == 1
    assert version.original_filename == "assessment.pdf"
    assert version.size == len(content)
    assert version.content_type == "application/pdf"
    assert version.scan_result == DocumentVersion.ScanResult.NOT_SCANNED
    import hashlib

    assert version.sha256 == hashlib.sha256(content).hexdigest()
    files = stored_files(document_folder)
    assert len(files) == 1
    assert files[0].read_bytes() == content
    assert "assessment" not in files[0].name  # the storage key never carries the name
    change = AuditEvent.objects.get(kind=AuditEvent.Kind.CHANGE, object_type="documents.document")
    assert change.person_id == person.pk
    assert change.action == "create"
    assert change.changes["sha256"] == [None, version.sha256]


def test_many_files_at_once_become_one_document_each(
    upload: Callable[..., Any], document_folder: Path
) -> None:
    response = upload(
        ("letter.pdf", samples.pdf()),
        ("photo.png", samples.png()),
        ("minutes.docx", samples.docx()),
        ("notes.txt", "Seen at home. Café.".encode()),
    )

    assert response.status_code == 302
    titles = sorted(Document.objects.values_list("title", flat=True))
    assert titles == [
        "Initial assessment: letter.pdf",
        "Initial assessment: minutes.docx",
        "Initial assessment: notes.txt",
        "Initial assessment: photo.png",
    ]
    assert len(stored_files(document_folder)) == 4


def test_without_a_title_each_document_is_named_after_its_file(
    upload: Callable[..., Any],
) -> None:
    upload(("Strategy meeting.pdf", samples.pdf()), title="")

    assert Document.objects.get().title == "Strategy meeting"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.pdf", b"", "it is empty"),
        ("virus.pdf", samples.WINDOWS_EXE, "it is a program or script"),
        ("linux.pdf", samples.ELF, "it is a program or script"),
        ("script.pdf", samples.SCRIPT, "it is a program or script"),
        ("picture.svg", samples.SVG, "SVG image or web page"),
        ("picture.txt", samples.SVG, "SVG image or web page"),
        ("bomb.docx", samples.zip_bomb(), "like a zip bomb"),
        (
            "nested.docx",
            samples.docx({"word/media/inner.zip": b"PK\x03\x04"}),
            "another archive inside it",
        ),
        ("report.png", samples.pdf(), "its name ends in .png but its content is a PDF"),
        ("report.exe", samples.pdf(), "its name ends in .exe but its content is a PDF"),
        ("report", samples.pdf(), "its name ends in no extension"),
        ("../../etc/passwd.pdf", samples.pdf(), "its name contains a folder path"),
        ("C:\\Users\\me\\report.pdf", samples.pdf(), "its name contains a folder path"),
        ("report\x07.pdf", samples.pdf(), "its name contains control characters"),
        ("report\u202egnp.pdf", samples.pdf(), "its name contains control characters"),
        ("a" * 252 + ".pdf", samples.pdf(), "its name is longer than 255 characters"),
        ("archive.zip", samples.docx(), "its name ends in .zip"),
        ("data.bin", bytes(range(256)) * 4, "not one of the allowed types"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else None,
)
def test_a_refused_file_says_why_and_nothing_is_stored(
    upload: Callable[..., Any],
    document_folder: Path,
    name: str,
    content: bytes,
    reason: str,
) -> None:
    response = upload(("good.pdf", samples.pdf()), (name, content), title="Kept title")

    assert response.status_code == 400
    page = _summary(response)
    assert "There is a problem" in page
    assert reason in page
    assert "cannot be uploaded because" in page
    # What was typed is kept; the good file is not stored either: all or nothing.
    assert 'value="Kept title"' in page
    assert 'value="2026"' in page
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_files(document_folder) == []
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


def test_each_refused_file_gets_its_own_reason(
    upload: Callable[..., Any], document_folder: Path
) -> None:
    response = upload(("one.pdf", b""), ("two.pdf", samples.WINDOWS_EXE))

    page = _summary(response)
    assert "one.pdf cannot be uploaded because it is empty." in page
    assert "two.pdf cannot be uploaded because it is a program or script" in page
    assert stored_files(document_folder) == []


def test_a_file_over_the_limit_is_refused_without_keeping_its_data(
    upload: Callable[..., Any], settings: Any, document_folder: Path
) -> None:
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1000

    response = upload(("big.txt", b"x" * 5000))

    assert response.status_code == 400
    assert "it is larger than 1,000 bytes" in _summary(response)
    assert stored_files(document_folder) == []


def test_a_zip_that_expands_past_the_limit_is_refused(
    upload: Callable[..., Any], settings: Any
) -> None:
    settings.DOCUMENT_ZIP_MAX_UNCOMPRESSED_BYTES = 100

    response = upload(("minutes.docx", samples.docx()))

    assert "would expand to more than" in _summary(response)
    assert Document.objects.count() == 0


def test_no_file_chosen(upload: Callable[..., Any]) -> None:
    response = upload()

    assert response.status_code == 400
    assert "Choose one or more files to upload." in _summary(response)


def test_too_many_files(upload: Callable[..., Any], settings: Any) -> None:
    settings.DOCUMENT_MAX_FILES_PER_UPLOAD = 2

    response = upload(*[(f"{n}.txt", b"text") for n in range(3)])

    assert "Upload 2 files or fewer at a time (you chose 3)." in _summary(response)
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"category": ""}, "Select a category."),
        ({"category": "999999"}, "Select a category from the list."),
        ({"category": "'; drop table documents_document; --"}, "Select a category from the list."),
        ({"document_date_day": "31", "document_date_month": "2"}, "must be a real date"),
        (
            {"document_date_day": "", "document_date_month": "", "document_date_year": ""},
            "Enter document date.",
        ),
        ({"document_date_year": "2999"}, "must be today or in the past"),
        ({"confidentiality": "public"}, "Select who may see the document."),
        ({"title": "x" * 201}, "200 characters or fewer"),
        ({"title": "bad\x00title"}, "control character"),
    ],
)
def test_wrong_details_are_reported_and_nothing_is_stored(
    upload: Callable[..., Any],
    document_folder: Path,
    overrides: dict[str, str],
    message: str,
) -> None:
    response = upload(("letter.pdf", samples.pdf()), **overrides)

    assert response.status_code == 400
    assert message in _summary(response)
    assert Document.objects.count() == 0
    assert stored_files(document_folder) == []


def test_a_category_from_another_code_list_is_refused(
    upload: Callable[..., Any],
) -> None:
    from casemgmt.models import Code, CodeList

    other = Code.objects.create(
        code_list=CodeList.objects.create(key="other-list", name="Other"), code="x", label="X"
    )

    response = upload(("letter.pdf", samples.pdf()), category=str(other.pk))

    assert "Select a category from the list." in _summary(response)


def test_upload_to_a_step_of_another_person_is_not_found(
    worker_client: Client, person: Person, details: dict[str, str]
) -> None:
    other = PersonFactory()
    response = post_files(
        worker_client,
        reverse("documents:document-upload", kwargs={"person_id": person.pk}),
        {**details, "note": "12345678"},
        [("letter.pdf", samples.pdf())],
    )
    assert response.status_code == 404
    response = post_files(
        worker_client,
        reverse("documents:document-upload", kwargs={"person_id": person.pk}),
        {**details, "group": "not-a-number"},
        [("letter.pdf", samples.pdf())],
    )
    assert response.status_code == 404
    assert other.pk != person.pk
    assert Document.objects.count() == 0


def test_the_upload_page_needs_the_csrf_token(
    person: Person, worker: User, details: dict[str, str], document_folder: Path
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)

    response = post_files(
        client,
        reverse("documents:document-upload", kwargs={"person_id": person.pk}),
        details,
        [("letter.pdf", samples.pdf())],
    )

    assert response.status_code == 403
    assert Document.objects.count() == 0
    assert stored_files(document_folder) == []


def test_a_storage_failure_leaves_nothing_behind(
    upload: Callable[..., Any], document_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casemgmt import audit

    calls = {"count": 0}
    original = audit.record_change

    def fail_second(**kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("database went away")
        return original(**kwargs)

    monkeypatch.setattr("documents.services.audit.record_change", fail_second)

    with pytest.raises(RuntimeError):
        upload(("one.pdf", samples.pdf()), ("two.pdf", samples.pdf()))

    assert Document.objects.count() == 0
    assert stored_files(document_folder) == []


def test_the_upload_page_shows_the_form(worker_client: Client, person: Person) -> None:
    response = worker_client.get(
        reverse("documents:document-upload", kwargs={"person_id": person.pk})
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in page
    assert "multiple" in page
    assert 'enctype="multipart/form-data"' in page
    assert "js/documents-upload.js" in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--nope\r\ngarbage", "multipart/form-data; boundary=nope"),
        (b"not multipart at all", "multipart/form-data"),
        (b"title=x", "application/x-www-form-urlencoded"),
        (b"\xff\xfe" * 100, "multipart/form-data; boundary=\xff"),
    ],
)
def test_a_malformed_request_is_a_clear_refusal_not_an_error(
    worker_client: Client, person: Person, document_folder: Path, body: bytes, content_type: str
) -> None:
    response = worker_client.post(
        reverse("documents:document-upload", kwargs={"person_id": person.pk}),
        data=body,
        content_type=content_type,
    )

    assert response.status_code == 400
    assert Document.objects.count() == 0
    assert stored_files(document_folder) == []
