"""Subject access requests: two information governance officers (one reviews, the other
signs off), a storage folder of their own, and a child's record with third parties in it."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from casemgmt import jobs
from casemgmt.models import Code, Job, Team, User
from casemgmt.roles import Role
from clients.models import Person, RelationshipType
from documents.models import CATEGORY_LIST_KEY, Document, DocumentVersion
from subject_access import gathering, review, services
from subject_access.models import RequestSubject, ReviewItem, SubjectAccessRequest
from tests.documents import samples
from tests.factories import (
    AddressFactory,
    CaseNoteFactory,
    ChronologyEntryFactory,
    GroupFactory,
    GroupMembershipFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

THIRD_PARTY_NOTE = (
    "Visited Jayden at home. His mother's partner Darren Kettle was there; Darren said he "
    "lives at 14 Orchard Close, Leeds LS6 2AB, phone 07700 900123. Jayden said he feels safe."
)


@pytest.fixture(autouse=True)
def document_folder(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "documents"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": "/no-direct-access/"},
        },
    }
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    return folder


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory(
        username="ida.governance",
        first_name="Ida",
        last_name="Okafor",
        roles=[Role.INFORMATION_GOVERNANCE],
    )


@pytest.fixture
def second_officer(db: None) -> User:
    return UserFactory(
        username="otto.governance",
        first_name="Otto",
        last_name="Brandt",
        roles=[Role.INFORMATION_GOVERNANCE],
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer: User) -> Client:
    return signed_in(officer)


@pytest.fixture
def second_client(second_officer: User) -> Client:
    return signed_in(second_officer)


def stored_document(
    person: Person, user: User, title: str, content: bytes, filename: str
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
        content_type="application/pdf",
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
    """Jayden's record: his mother and her partner, a household, notes naming them, staff."""
    worker = users["allocated_worker"]
    manager = users["team_manager"]
    mother = PersonFactory(first_name="Kerry", last_name="Whitmore")
    partner = PersonFactory(first_name="Darren", last_name="Kettle")
    RelationshipFactory(
        person=person, other=mother, type=RelationshipType.objects.get(code="parent")
    )
    household = GroupFactory(name="Whitmore household")
    for member in (person, mother, partner):
        GroupMembershipFactory(group=household, person=member)
    AddressFactory(person=person, line_1="3 Mill Lane", postcode="LS1 4AP")
    visit = CaseNoteFactory(
        person=person, author=worker, subject="Home visit", body=THIRD_PARTY_NOTE
    )
    supervision = CaseNoteFactory(
        person=person,
        author=manager,
        subject="Management oversight",
        body=f"Discussed with {manager.get_full_name()}. Police intelligence shared in "
        "confidence: REF-POLICE-77.",
    )
    ChronologyEntryFactory(person=person, summary="Referral from school about Jayden")
    report = stored_document(
        person, worker, "Strategy meeting minutes", samples.pdf("minutes"), "minutes.pdf"
    )
    return {
        "mother": mother,
        "partner": partner,
        "visit": visit,
        "supervision": supervision,
        "report": report,
    }


def make_request(officer: User, **overrides: Any) -> SubjectAccessRequest:
    values: dict[str, Any] = {
        "received_on": timezone.localdate() - datetime.timedelta(days=3),
        "channel": "email",
        "requester_name": "Jayden Whitmore",
        "requester_role": "self",
        "authority": "",
        "requester_address": "3 Mill Lane, Leeds LS1 4AP",
        "requester_email": "jayden@example.com",
        "requester_phone": "",
        "subject_name": "Jayden Whitmore",
        "subject_date_of_birth": datetime.date(2015, 3, 14),
        "subject_details": "",
        "scope": "Everything children's services hold about me.",
        "owner": None,
        **overrides,
    }
    return services.request_create(actor=officer, **values)


def run(job: Job) -> Job:
    jobs.job_run(str(job.pk))
    job.refresh_from_db()
    return job


def gathered(officer: User, sar: SubjectAccessRequest, person: Person) -> RequestSubject:
    """The request in progress with the person's file gathered (the job run here)."""
    if not sar.identity_verified_on:
        services.identity_record(
            actor=officer, sar=sar, verified_on=sar.received_on, method="documents", notes=""
        )
    subject = RequestSubject.objects.filter(request=sar, person=person).first()
    if subject is None:
        subject = services.subject_add(actor=officer, sar=sar, person=person)
    sar.refresh_from_db()
    if sar.status == SubjectAccessRequest.Status.RECEIVED:
        services.work_start(actor=officer, sar=sar)
    job = gathering.gather_start(actor=officer, sar=sar, subject=subject)
    job = run(job)
    assert job.status == Job.Status.SUCCEEDED, job.error
    subject.refresh_from_db()
    return subject


def in_review(officer: User, sar: SubjectAccessRequest, person: Person) -> RequestSubject:
    subject = gathered(officer, sar, person)
    review.review_send(actor=officer, sar=sar)
    sar.refresh_from_db()
    return subject


def item(subject: RequestSubject, kind: str, source_id: int) -> ReviewItem:
    return ReviewItem.objects.get(subject=subject, kind=kind, source_id=source_id)


@pytest.fixture
def sar(officer: User) -> SubjectAccessRequest:
    return make_request(officer)


@pytest.fixture
def reviewing(
    officer: User, sar: SubjectAccessRequest, person: Person, record: dict[str, Any]
) -> RequestSubject:
    return in_review(officer, sar, person)
