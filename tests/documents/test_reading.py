"""Downloading, previewing, versions, deleting, who sees what, and the person page section."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import AuditEvent, User
from clients.models import Person
from documents.models import Document
from tests.documents import samples
from tests.documents.conftest import post_files, stored_files

pytestmark = pytest.mark.django_db


def _one(upload: Callable[..., Any], name: str, content: bytes, **overrides: str) -> Document:
    response = upload((name, content), **overrides)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Document.objects.order_by("-id").first()  # type: ignore[return-value]


def _url(name: str, document: Document, **extra: int) -> str:
    return reverse(
        f"documents:{name}",
        kwargs={"person_id": document.person_id, "document_id": document.pk, **extra},
    )


def _file_url(name: str, document: Document) -> str:
    assert document.current_version_id is not None
    return _url(name, document, version_id=document.current_version_id)


def _access_events(person: Person) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS, person_id=person.pk)
        .order_by("id")
        .values_list("action", "summary")
    )


def test_download_streams_the_file_as_an_attachment_with_one_access_event(
    upload: Callable[..., Any], worker_client: Client, person: Person
) -> None:
    content = samples.pdf()
    document = _one(upload, "Café report.pdf", content)
    before = len(_access_events(person))

    response = worker_client.get(_file_url("document-download", document))

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Caf_ report.pdf\"; filename*=UTF-8''Caf%C3%A9%20report.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    events = _access_events(person)[before:]
    assert events == [("download", "Downloaded document “Initial assessment” (version 1)")]


def test_preview_shows_pdfs_and_images_inline_in_a_sandbox(
    upload: Callable[..., Any], worker_client: Client, person: Person
) -> None:
    document = _one(upload, "photo.png", samples.png())
    before = len(_access_events(person))

    response = worker_client.get(_file_url("document-preview", document))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith('inline; filename="photo.png"')
    assert "sandbox" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert [action for action, _ in _access_events(person)[before:]] == ["preview"]


def test_other_kinds_cannot_be_previewed(
    upload: Callable[..., Any], worker_client: Client, person: Person
) -> None:
    document = _one(upload, "notes.txt", b"<b>not html</b>\n")
    before = len(_access_events(person))

    response = worker_client.get(_file_url("document-preview", document))

    assert response.status_code == 404
    assert _access_events(person)[before:] == []
    download = worker_client.get(_file_url("document-download", document))
    assert download["Content-Type"] == "text/plain"
    assert download["Content-Disposition"].startswith("attachment;")


def test_a_new_version_keeps_the_old_one(
    upload: Callable[..., Any],
    worker_client: Client,
    person: Person,
    document_folder: Path,
) -> None:
    document = _one(upload, "plan.pdf", samples.pdf("first"))
    first = document.current_version

    response = post_files(
        worker_client,
        _url("document-new-version", document),
        {},
        [("plan v2.pdf", samples.pdf("second"))],
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version is not None
    assert document.current_version.number == 2
    assert document.current_version.original_filename == "plan v2.pdf"
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert len(stored_files(document_folder)) == 2
    assert first is not None
    old = worker_client.get(_url("document-download", document, version_id=first.pk))
    assert b"".join(old.streaming_content) == samples.pdf("first")
    page = worker_client.get(_url("document-detail", document)).content.decode()
    assert "plan v2.pdf" in page
    assert "plan.pdf" in page


def test_a_refused_new_version_changes_nothing(
    upload: Callable[..., Any], worker_client: Client, document_folder: Path
) -> None:
    document = _one(upload, "plan.pdf", samples.pdf())

    response = post_files(
        worker_client, _url("document-new-version", document), {}, [("plan.pdf", samples.ELF)]
    )

    assert response.status_code == 400
    assert "it is a program or script" in response.content.decode()
    document.refresh_from_db()
    assert document.versions.count() == 1
    assert len(stored_files(document_folder)) == 1
    two = post_files(
        worker_client,
        _url("document-new-version", document),
        {},
        [("a.pdf", samples.pdf()), ("b.pdf", samples.pdf())],
    )
    assert "Upload 1 files or fewer" in two.content.decode()


def test_soft_delete_needs_a_reason_and_hides_the_document_from_everyone(
    upload: Callable[..., Any],
    worker_client: Client,
    client_for: Callable[[str], Client],
    person: Person,
    document_folder: Path,
) -> None:
    document = _one(upload, "plan.pdf", samples.pdf())

    missing = worker_client.post(_url("document-delete", document), {"reason": "  "})
    assert missing.status_code == 400
    assert "Enter why the document is being deleted." in missing.content.decode()
    too_long = worker_client.post(_url("document-delete", document), {"reason": "x" * 1001})
    assert "1000 characters or fewer" in too_long.content.decode()
    assert Document.objects.get().deleted_at is None

    response = worker_client.post(
        _url("document-delete", document), {"reason": "Uploaded to the wrong person"}
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is not None
    assert document.deletion_reason == "Uploaded to the wrong person"
    assert len(stored_files(document_folder)) == 1  # the file is kept
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CHANGE, action="delete")
    assert event.reason == "Uploaded to the wrong person"
    assert event.person_id == person.pk
    manager = client_for("senior_manager")
    for client in (worker_client, manager):
        listing = client.get(reverse("documents:document-list", kwargs={"person_id": person.pk}))
        assert "plan" not in listing.content.decode()
        assert client.get(_url("document-detail", document)).status_code == 404
        assert client.get(_file_url("document-download", document)).status_code == 404


def test_only_the_uploader_or_a_manager_may_delete(
    upload: Callable[..., Any], client_for: Callable[[str], Client]
) -> None:
    document = _one(upload, "plan.pdf", samples.pdf())

    other = client_for("other_team_worker").post(
        _url("document-delete", document), {"reason": "Mine now"}
    )
    assert other.status_code == 404
    manager = client_for("team_manager").post(
        _url("document-delete", document), {"reason": "Duplicate"}
    )
    assert manager.status_code == 302


@pytest.mark.parametrize(
    ("confidentiality", "who_sees"),
    [
        (
            "normal",
            {
                "allocated_worker",
                "other_team_worker",
                "team_manager",
                "senior_manager",
                "business_support",
                "finance_officer",
                "admin",
            },
        ),
        (
            "sensitive",
            {
                "allocated_worker",
                "other_team_worker",
                "team_manager",
                "senior_manager",
                "business_support",
            },
        ),
        ("restricted", {"allocated_worker", "team_manager", "senior_manager"}),
    ],
)
def test_confidentiality_decides_who_sees_a_document(
    upload: Callable[..., Any],
    client_for: Callable[[str], Client],
    users: dict[str, User],
    confidentiality: str,
    who_sees: set[str],
) -> None:
    document = _one(upload, "plan.pdf", samples.pdf(), confidentiality=confidentiality)

    seen = {
        persona
        for persona in users
        if persona != "inactive_user"
        and client_for(persona).get(_file_url("document-download", document)).status_code == 200
    }

    assert seen == who_sees


def test_the_list_filters_and_pages(
    upload: Callable[..., Any], worker_client: Client, person: Person
) -> None:
    from casemgmt.models import Code

    letter = Code.objects.get(code_list__key="document-categories", code="letter")
    _one(upload, "assessment.pdf", samples.pdf())
    _one(upload, "letter.pdf", samples.pdf(), category=str(letter.pk), document_date_year="2025")
    url = reverse("documents:document-list", kwargs={"person_id": person.pk})

    everything = worker_client.get(url).content.decode()
    by_category = worker_client.get(url, {"category": letter.pk}).content.decode()
    by_date = worker_client.get(
        url, {"date_from_day": "1", "date_from_month": "1", "date_from_year": "2026"}
    ).content.decode()
    bad = worker_client.get(url, {"category": "nonsense", "page": "999"})

    assert "2 documents" in everything
    assert "1 document found" in by_category
    assert "letter.pdf" in by_category
    assert "1 document found" in by_date
    assert "assessment.pdf" in by_date
    assert bad.status_code == 200


def test_the_person_page_shows_the_latest_documents_in_a_fixed_number_of_queries(
    upload: Callable[..., Any],
    worker: User,
    person: Person,
) -> None:
    from documents.person_section import documents_section

    for number in range(12):
        _one(upload, f"doc{number}.txt", b"text")
    worker = User.objects.get(pk=worker.pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker.get_all_permissions()  # the capabilities are read once per request anyway
    with CaptureQueriesContext(connection) as queries:
        section = documents_section(person, worker)
    assert section is not None
    assert len(queries) == 1
    assert len(section["documents"]) == 10
    assert section["more_documents"] is True


def test_the_person_page_has_the_documents_section(
    upload: Callable[..., Any], worker_client: Client, person: Person
) -> None:
    _one(upload, "plan.pdf", samples.pdf())

    page = worker_client.get(
        reverse("clients:person-detail", kwargs={"person_id": person.pk})
    ).content.decode()

    assert 'id="documents-heading"' in page
    assert "Initial assessment" in page
    assert reverse("documents:document-list", kwargs={"person_id": person.pk}) in page
