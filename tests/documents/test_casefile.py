"""The case file export: complete, escaped, permitted, audited, and resumable without duplicates."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casemgmt import jobs
from casemgmt.models import AuditEvent, Code, Job, Team, User
from casemgmt.roles import Role
from clients.models import CaseNote, ChronologyEntry, Person
from documents import casefile, casefile_job, casefile_render
from documents.models import CATEGORY_LIST_KEY, Document, DocumentVersion, document_storage
from tests.documents import samples
from tests.documents.conftest import stored_files
from tests.factories import (
    AddressFactory,
    AlertFactory,
    AlertTypeFactory,
    CaseNoteFactory,
    ChronologyEntryFactory,
    PersonFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    UserFactory,
)
from tests.workflows.builders import small_workflow
from tests.workflows.step_page_builders import make_step

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# -- building a record like a demo person's ------------------------------------------------------


def _document(
    person: Person, user: User, title: str, content: bytes, filename: str, content_type: str
) -> Document:
    document = Document.objects.create(
        person=person,
        title=title,
        category=Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="assessment"),
        document_date=datetime.date(2026, 1, 5),
        uploaded_by=user,
        created_at=timezone.now(),
    )
    version = DocumentVersion(
        document=document,
        number=1,
        original_filename=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=content_type,
        uploaded_by=user,
        uploaded_at=timezone.now(),
        scan_result=DocumentVersion.ScanResult.NOT_SCANNED,
    )
    version.file.save(filename, ContentFile(content), save=True)
    document.current_version = version
    document.save(update_fields=["current_version"])
    return document


@pytest.fixture
def record(person: Person, users: dict[str, User], team_a: Team) -> dict[str, Any]:
    """The matrix's child with a little of everything, each row carrying a token to find."""
    worker = users["allocated_worker"]
    moment = timezone.now() - datetime.timedelta(days=30)
    AddressFactory(person=person, line_1="12 Token Street ADDR-1")
    sister = PersonFactory(first_name="Amelia", last_name="Whitmore")
    RelationshipFactory(person=person, other=sister, type=RelationshipTypeFactory())
    AlertFactory(person=person, type=AlertTypeFactory(), description="ALERT-1 dog at the address")
    notes = [
        CaseNoteFactory(
            person=person,
            author=worker,
            subject=f"NOTE-{number:03d} home visit",
            event_at=moment + datetime.timedelta(hours=number),
        )
        for number in range(12)
    ]
    amendment = CaseNoteFactory(
        person=person,
        author=worker,
        subject="NOTE-AMEND correction",
        amends=notes[0],
        event_at=moment + datetime.timedelta(days=1),
    )
    drafts = [
        CaseNoteFactory(
            person=person,
            author=worker,
            subject=f"DRAFT-{number} unfinished",
            status=CaseNote.Status.DRAFT,
            finalised_at=None,
        )
        for number in range(2)
    ]
    chronology = [
        ChronologyEntryFactory(person=person, summary=f"CHRON-{number:03d} event")
        for number in range(8)
    ]
    hidden = ChronologyEntryFactory(
        person=person,
        summary="CHRON-HIDDEN duplicate entry",
        is_hidden=True,
        hidden_reason="Recorded twice",
        hidden_by=worker,
        hidden_at=timezone.now(),
    )
    flow = small_workflow()
    steps = [
        make_step(
            flow.contact,
            team=team_a,
            person=person,
            status="completed",
            answers={"contact_date": "2026-03-02", "decision": "assess"},
            completed_at=timezone.now(),
        ),
        make_step(
            flow.assessment,
            team=team_a,
            person=person,
            answers={
                "summary": "STEP-ANSWER the family engaged well",
                "people_seen": [{"name": "Mum", "seen_alone": True}],
            },
        ),
    ]
    documents = [
        _document(
            person, worker, "DOC-1 assessment", samples.pdf("one"), "one.pdf", "application/pdf"
        ),
        _document(person, worker, "DOC-2 photo", samples.png(), "photo.png", "image/png"),
        _document(
            person, worker, "DOC-3 letter", b"{\\rtf1 letter}", "letter.rtf", "application/rtf"
        ),
    ]
    deleted = _document(
        person, worker, "DOC-DELETED", samples.pdf("x"), "gone.pdf", "application/pdf"
    )
    Document.objects.filter(pk=deleted.pk).update(
        deleted_at=timezone.now(), deleted_by=worker, deletion_reason="Wrong person"
    )
    return {
        "notes": [*notes, amendment],
        "drafts": drafts,
        "chronology": [*chronology, hidden],
        "steps": steps,
        "documents": documents,
        "deleted": deleted,
    }


def _ask(client: Client, person: Person, **overrides: str) -> Any:
    return client.post(
        reverse("documents:casefile-request", kwargs={"person_id": person.pk}),
        {"purpose": "subject_access", "reason": "SAR-2026-014", **overrides},
    )


def _run(job: Job) -> Job:
    jobs.job_run(str(job.pk))
    job.refresh_from_db()
    return job


def _export(client: Client, person: Person) -> Job:
    response = _ask(client, person)
    assert response.status_code == 302
    job = Job.objects.get(kind=casefile.JOB_KIND)
    assert response["Location"] == reverse(
        "documents:casefile-status", kwargs={"person_id": person.pk, "job_id": job.pk}
    )
    return _run(job)


def _files(job: Job) -> tuple[bytes, bytes]:
    pdf, archive = (
        Document.objects.get(pk=job.result[key]) for key in ("pdf_document_id", "zip_document_id")
    )
    storage = document_storage()
    with storage.open(str(pdf.current_version.file.name)) as handle:  # type: ignore[union-attr]
        pdf_bytes = handle.read()
    with storage.open(str(archive.current_version.file.name)) as handle:  # type: ignore[union-attr]
        zip_bytes = handle.read()
    return pdf_bytes, zip_bytes


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


# -- completeness ------------------------------------------------------------------------------


def test_the_export_holds_everything_in_the_record_counted_against_the_database(
    client_for: Callable[[str], Client], person: Person, record: dict[str, Any]
) -> None:
    # Given a team manager and a person with a record of everything
    manager = client_for("team_manager")

    # When they export the case file and the job runs
    job = _export(manager, person)

    # Then it finished with a PDF and a ZIP stored as restricted documents of the person
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.percent == 100
    stored = Document.objects.filter(person=person, category__code=casefile.CATEGORY_CODE)
    assert {(d.confidentiality, d.current_version.content_type) for d in stored} == {  # type: ignore[union-attr]
        ("restricted", "application/pdf"),
        ("restricted", "application/zip"),
    }
    pdf, archive = _files(job)
    pages = _pages(pdf)
    text = "\n".join(pages)
    assert job.result["pages"] == len(pages)

    # Every final note (the amendment too) once, no draft; amendments linked both ways
    final = CaseNote.objects.filter(person=person, status="final")
    headings = re.findall(r"\d\d:\d\d: (NOTE-\S+)", text)
    assert sorted(headings) == sorted(n.subject.split()[0] for n in final)
    assert "DRAFT-" not in text
    assert "2 drafts not included" in text
    original = record["notes"][0]
    assert f"Amended by note {record['notes'][-1].pk}" in text.replace("\n", " ")
    assert f"Amends note {original.pk}" in text.replace("\n", " ")

    # Every chronology entry, the hidden one marked with its reason
    entries = ChronologyEntry.objects.filter(person=person)
    assert len(re.findall(r"CHRON-\d{3} event", text)) == entries.filter(is_hidden=False).count()
    assert re.search(r"CHRON-HIDDEN duplicate entry\s+HIDDEN", text)
    assert "Recorded twice" in text

    # Every step, completed and open, with its answers under the labels of its form version
    for step in record["steps"]:
        assert f"step {step.pk} " in text
    assert "Decision\nAssess" in text
    assert "Summary\nSTEP-ANSWER the family engaged well" in text
    assert "People seen" in text
    assert "Mum" in text

    # The details, address, relationship and alert sections
    assert "12 Token Street ADDR-1" in text
    assert "Amelia Whitmore" in text
    assert "ALERT-1 dog at the address" in text

    # Every current document listed (not the deleted one), and each in the ZIP with the index
    current = list(record["documents"])
    for document in current:
        assert document.title in text
    assert "DOC-DELETED" not in text
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = opened.namelist()
        assert len(names) == len(current) + 1
        assert names[-1] == "index.csv"
        rows = list(csv.DictReader(io.StringIO(opened.read("index.csv").decode("utf-8-sig"))))
        assert sorted(int(row["document_id"]) for row in rows) == sorted(d.pk for d in current)
        for row in rows:
            assert hashlib.sha256(opened.read(row["file"])).hexdigest() == row["sha256"]
    assert job.result["attachments"] == len(current)


def test_the_index_gives_the_page_each_section_starts_on(
    client_for: Callable[[str], Client], person: Person, record: dict[str, Any]
) -> None:
    job = _export(client_for("senior_manager"), person)
    pages = _pages(_files(job)[0])
    index_page = next(page for page in pages if page.startswith("Index") or "\nIndex\n" in page)
    found = 0
    for _key, title in casefile_render.SECTIONS:
        match = re.search(rf"{re.escape(title)}\n?.*?(\d+)\n", index_page)
        assert match, f"{title} is not in the index"
        number = int(match.group(1))
        assert title in pages[number - 1], f"{title} does not start on page {number}"
        assert f"Page {number}" in pages[number - 1]
        found += 1
    assert found == len(casefile_render.SECTIONS)


# -- hostile and large data ----------------------------------------------------------------------


def test_hostile_names_answers_and_very_long_text_are_printed_as_text(
    client_for: Callable[[str], Client], users: dict[str, User], team_a: Team
) -> None:
    # Given a person whose name, notes and answers hold markup, unicode and a 60,000 character word
    from tests.factories import InvolvementFactory

    person = PersonFactory(first_name="Zoë Łucja", last_name=HOSTILE[:100])
    InvolvementFactory(person=person, worker=users["allocated_worker"], team=team_a)
    CaseNoteFactory(
        person=person,
        author=users["allocated_worker"],
        subject="</style><h1>INJECTED</h1>",
        body=("x" * 60_000) + " ENDOFLONG",
    )
    flow = small_workflow()
    make_step(
        flow.assessment,
        team=team_a,
        person=person,
        answers={"summary": HOSTILE + " Ødegård"},
    )

    # When it is exported
    job = _export(client_for("team_manager"), person)

    # Then the markup appears as written, nothing of it ran, and nothing was lost
    assert job.status == Job.Status.SUCCEEDED, job.error
    text = "\n".join(_pages(_files(job)[0]))
    flat = text.replace("\n", "")
    assert '<script>alert("x")</script>' in flat
    assert "</style><h1>INJECTED</h1>" in flat
    assert "Zoë Łucja" in text
    assert "Ødegård" in text
    assert "ENDOFLONG" in text


def test_entry_names_in_the_zip_cannot_leave_it_and_csv_cells_are_not_formulas() -> None:
    from documents.casefile_zip import NAME_LIMIT, entry_name, spreadsheet_safe

    assert entry_name(3, "../../etc/passwd") == "0003-_.._etc_passwd"
    assert entry_name(4, "C:\\evil\x00\x1b.pdf") == "0004-C__evil__.pdf"
    assert entry_name(5, "") == "0005-file"
    long_name = entry_name(6, "a" * 300 + ".pdf")
    assert long_name.endswith(".pdf")
    assert len(long_name) <= 5 + NAME_LIMIT
    assert spreadsheet_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert spreadsheet_safe("Plain") == "Plain"


# -- asking for it: bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"purpose": ""}, "Select why you are exporting the case file."),
        ({"purpose": "not-a-purpose"}, "Select why you are exporting the case file."),
        ({"reason": ""}, "Enter the reason for the export"),
        ({"reason": "   "}, "Enter the reason for the export"),
        ({"reason": "r" * 501}, "The reason must be 500 characters or fewer."),
        ({"reason": "ref\x00\x1b[2J"}, "The reason must not contain control characters."),
    ],
)
def test_a_wrong_request_says_why_keeps_what_was_typed_and_starts_nothing(
    client_for: Callable[[str], Client], person: Person, fields: dict[str, str], message: str
) -> None:
    manager = client_for("team_manager")
    events = AuditEvent.objects.filter(action="export").count()
    response = _ask(manager, person, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    if fields.get("reason", "").strip() and "\x00" not in fields["reason"]:
        assert fields["reason"] in page
    assert not Job.objects.exists()
    assert AuditEvent.objects.filter(action="export").count() == events


def test_hostile_reason_is_kept_escaped_on_the_form(
    client_for: Callable[[str], Client], person: Person
) -> None:
    response = _ask(client_for("team_manager"), person, purpose="", reason=HOSTILE)
    assert response.status_code == 400
    assert HOSTILE not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


def test_asking_twice_gives_one_export(client_for: Callable[[str], Client], person: Person) -> None:
    manager = client_for("team_manager")
    first = _ask(manager, person)
    second = _ask(manager, person)
    assert first["Location"] == second["Location"]
    assert Job.objects.filter(kind=casefile.JOB_KIND).count() == 1
    page = manager.get(reverse("documents:casefile-request", kwargs={"person_id": person.pk}))
    assert "already under way" in page.content.decode()


def test_the_request_is_audited_with_its_reason(
    client_for: Callable[[str], Client], person: Person, users: dict[str, User]
) -> None:
    _ask(client_for("team_manager"), person)
    event = AuditEvent.objects.get(action="export", person_id=person.pk)
    assert (event.kind, event.actor_id, event.reason) == (
        AuditEvent.Kind.ACCESS,
        users["team_manager"].pk,
        "SAR-2026-014",
    )


# -- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["allocated_worker", "business_support", "finance_officer", "admin"]
)
def test_staff_without_the_capability_get_404_and_start_nothing(
    client_for: Callable[[str], Client], person: Person, persona: str
) -> None:
    client = client_for(persona)
    url = reverse("documents:casefile-request", kwargs={"person_id": person.pk})
    assert client.get(url).status_code == 404
    assert _ask(client, person).status_code == 404
    assert not Job.objects.exists()


def test_information_governance_may_export_for_a_subject_access_request(
    person: Person, record: dict[str, Any]
) -> None:
    officer = UserFactory(username="ida.governance", roles=[Role.INFORMATION_GOVERNANCE])
    client = Client()
    client.force_login(officer)
    job = _export(client, person)
    assert job.status == Job.Status.SUCCEEDED, job.error
    # The officer (the uploader of the restricted export) can download it; it is audited
    pdf_document = Document.objects.get(pk=job.result["pdf_document_id"])
    response = client.get(
        reverse(
            "documents:document-download",
            kwargs={
                "person_id": person.pk,
                "document_id": pdf_document.pk,
                "version_id": pdf_document.current_version_id,
            },
        )
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_a_person_the_manager_may_not_see_is_404(
    client_for: Callable[[str], Client], person: Person
) -> None:
    Person.objects.filter(pk=person.pk).update(access_level="restricted")
    manager = client_for("team_manager")
    assert (
        manager.get(
            reverse("documents:casefile-request", kwargs={"person_id": person.pk})
        ).status_code
        == 404
    )
    assert _ask(manager, person).status_code == 404
    assert not Job.objects.exists()


def test_the_export_stops_if_the_record_is_closed_to_the_user_before_it_runs(
    client_for: Callable[[str], Client], person: Person
) -> None:
    _ask(client_for("team_manager"), person)
    Person.objects.filter(pk=person.pk).update(access_level="restricted")
    job = Job.objects.get(kind=casefile.JOB_KIND)
    with pytest.raises(casefile_job.ExportRefused):
        jobs.job_run(str(job.pk))
    assert not Document.objects.filter(category__code=casefile.CATEGORY_CODE).exists()


def test_someone_elses_export_page_is_404(
    client_for: Callable[[str], Client], person: Person
) -> None:
    _ask(client_for("team_manager"), person)
    job = Job.objects.get(kind=casefile.JOB_KIND)
    url = reverse("documents:casefile-status", kwargs={"person_id": person.pk, "job_id": job.pk})
    assert client_for("senior_manager").get(url).status_code == 404
    other = PersonFactory()
    assert (
        client_for("team_manager")
        .get(reverse("documents:casefile-status", kwargs={"person_id": other.pk, "job_id": job.pk}))
        .status_code
        == 404
    )


# -- pages and downloads ----------------------------------------------------------------------


def test_the_status_page_shows_progress_then_the_two_downloads(
    client_for: Callable[[str], Client], person: Person, record: dict[str, Any]
) -> None:
    manager = client_for("team_manager")
    _ask(manager, person)
    job = Job.objects.get(kind=casefile.JOB_KIND)
    url = reverse("documents:casefile-status", kwargs={"person_id": person.pk, "job_id": job.pk})
    assert 'id="job-progress-bar"' in manager.get(url).content.decode()
    _run(job)
    page = manager.get(url).content.decode()
    assert "The export is ready" in page
    for key in ("pdf_document_id", "zip_document_id"):
        document = Document.objects.get(pk=job.result[key])
        download = reverse(
            "documents:document-download",
            kwargs={
                "person_id": person.pk,
                "document_id": document.pk,
                "version_id": document.current_version_id,
            },
        )
        assert download in page
        before = AuditEvent.objects.filter(action="download", person_id=person.pk).count()
        assert manager.get(download).status_code == 200
        assert AuditEvent.objects.filter(action="download", person_id=person.pk).count() == (
            before + 1
        )
    # The allocated worker cannot open the restricted export
    assert client_for("allocated_worker").get(download).status_code == 404


def test_the_person_page_offers_the_export_to_those_allowed(
    client_for: Callable[[str], Client], person: Person
) -> None:
    url = reverse("clients:person-detail", kwargs={"person_id": person.pk})
    link = reverse("documents:casefile-request", kwargs={"person_id": person.pk})
    assert link in client_for("team_manager").get(url).content.decode()
    assert link not in client_for("allocated_worker").get(url).content.decode()


def test_the_finished_export_is_audited_as_an_export_of_the_person(
    client_for: Callable[[str], Client], person: Person, users: dict[str, User]
) -> None:
    job = _export(client_for("team_manager"), person)
    events = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.ACCESS, action="export", person_id=person.pk
    ).order_by("id")
    assert [e.summary.split(" (")[0] for e in events] == [
        "Asked for the case file export",
        "Exported the case file",
    ]
    assert events.last().object_id == str(job.pk)  # type: ignore[union-attr]
    created = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.CHANGE, action="create", person_id=person.pk
    )
    assert created.count() == 2


# -- a worker killed part way --------------------------------------------------------------------


def test_a_job_killed_part_way_resumes_from_its_parts_without_duplicates(
    client_for: Callable[[str], Client],
    person: Person,
    record: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    document_folder: Path,
) -> None:
    # Given small parts, so the record makes several, and a worker that dies on the fourth
    monkeypatch.setitem(casefile_render.CHUNK_SIZES, "notes", 3)
    monkeypatch.setitem(casefile_render.CHUNK_SIZES, "chronology", 4)
    rendered: list[int] = []
    original = casefile_render.render_part

    def render(**kwargs: Any) -> bytes:
        rendered.append(kwargs["first_page"])
        if len(rendered) == 4 and kwargs.get("part", {}).get("section"):
            raise RuntimeError("worker lost")
        return original(**kwargs)

    monkeypatch.setattr(casefile_render, "render_part", render)
    _ask(client_for("team_manager"), person)
    job = Job.objects.get(kind=casefile.JOB_KIND)
    with pytest.raises(RuntimeError):
        jobs.job_run(str(job.pk))
    job.refresh_from_db()
    assert (job.status, len(job.state["parts"])) == ("queued", 3)
    parts_total = len(job.state["plan"])
    assert parts_total > 6

    # When it runs again
    job = _run(job)

    # Then it rendered only the missing parts, stored the export once, and left no work files
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert len(rendered) == parts_total + 1
    assert Document.objects.filter(category__code=casefile.CATEGORY_CODE).count() == 2
    names = {path.relative_to(document_folder).parts[0] for path in stored_files(document_folder)}
    assert names == {"people"}
    assert list((document_folder / "casefile-work").iterdir()) == []
    pages = _pages(_files(job)[0])
    numbers = [int(m.group(1)) for page in pages for m in [re.search(r"Page (\d+)", page)] if m]
    assert numbers == list(range(1, len(pages) + 1))

    # And running the handler again after it stored (a kill before the job was marked done)
    # returns the same documents
    again = casefile_job.casefile_export(job, jobs.JobReporter(job))
    assert (again["pdf_document_id"], again["zip_document_id"]) == (
        job.result["pdf_document_id"],
        job.result["zip_document_id"],
    )
    assert Document.objects.filter(category__code=casefile.CATEGORY_CODE).count() == 2


def test_earlier_exports_are_not_exported_again(
    client_for: Callable[[str], Client], person: Person, record: dict[str, Any]
) -> None:
    manager = client_for("team_manager")
    first = _export(manager, person)
    Job.objects.filter(pk=first.pk).update(status=Job.Status.SUCCEEDED)
    _ask(manager, person)
    second = _run(Job.objects.filter(kind=casefile.JOB_KIND).exclude(pk=first.pk).get())
    assert second.result["attachments"] == len(record["documents"])
    assert "Case file export of" not in "\n".join(_pages(_files(second)[0])).split("Documents")[-1]


def test_a_file_lost_from_storage_is_listed_as_missing_and_the_export_still_finishes(
    client_for: Callable[[str], Client], person: Person, record: dict[str, Any]
) -> None:
    lost = record["documents"][1]
    document_storage().delete(str(lost.current_version.file.name))
    job = _export(client_for("team_manager"), person)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["attachments"] == len(record["documents"]) - 1
    with zipfile.ZipFile(io.BytesIO(_files(job)[1])) as opened:
        rows = list(csv.DictReader(io.StringIO(opened.read("index.csv").decode("utf-8-sig"))))
        assert len(opened.namelist()) == len(record["documents"])
    assert [row["file"] for row in rows if row["document_id"] == str(lost.pk)] == [
        "(missing from storage)"
    ]
