"""Gathering the case file, the review (decisions, redactions, redacted copies), the second
officer's sign-off, the release bundle with redactions removed from its text, and the release."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casemgmt import jobs
from casemgmt.models import AuditEvent, Job, User
from clients.models import CaseNote, ChronologyEntry, Person
from documents import casefile_items
from documents.models import Document, document_storage
from subject_access import gathering, review, services
from subject_access.models import (
    Redaction,
    RequestSubject,
    ReviewItem,
    SubjectAccessRequest,
)
from tests.documents import samples
from tests.documents.conftest import post_files
from tests.subject_access.conftest import THIRD_PARTY_NOTE, gathered, item, make_request, run
from tests.workflows.builders import small_workflow
from tests.workflows.step_page_builders import make_step

pytestmark = pytest.mark.django_db

Decision = ReviewItem.Decision
Status = SubjectAccessRequest.Status


def _review_url(
    sar: SubjectAccessRequest, person: Person, name: str = "review", **extra: Any
) -> str:
    return reverse(
        f"subject_access:{name}", kwargs={"sar_id": sar.pk, "person_id": person.pk, **extra}
    )


def _decide_all(officer: User, sar: SubjectAccessRequest, subject: RequestSubject) -> None:
    for row in ReviewItem.objects.filter(subject=subject, decision=Decision.PENDING):
        review.item_decide(
            actor=officer,
            sar=sar,
            item=row,
            decision=Decision.RELEASE,
            exemption="",
            leave_out=False,
            note="",
        )


def _pdf_text(document: Document) -> str:
    with document_storage().open(str(document.current_version.file.name)) as handle:  # type: ignore[union-attr]
        data = handle.read()
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    # Lines broken after a hyphen join up again.
    return re.sub(r"-\s+", "-", " ".join(text.split()))


# -- gathering ----------------------------------------------------------------------------------


def test_gathering_keeps_every_row_of_the_record_as_an_item_through_the_export_plan(
    officer: User,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
    team_a: Any,
    users: dict[str, User],
) -> None:
    # Given a record with a draft note (not part of the record) and a workflow step
    from tests.factories import CaseNoteFactory

    CaseNoteFactory(
        person=person,
        author=users["allocated_worker"],
        status=CaseNote.Status.DRAFT,
        finalised_at=None,
    )
    flow = small_workflow()
    step = make_step(
        flow.assessment,
        team=team_a,
        person=person,
        answers={"summary": "Mum and Darren Kettle seen together."},
    )

    # When the file is gathered
    subject = gathered(officer, sar, person)

    # Then each row is one item, in the export's order, and nothing else
    kinds = list(
        ReviewItem.objects.filter(subject=subject)
        .order_by("position")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "details",
        "address",
        "relationship",
        "involvement",
        *["chronology"] * ChronologyEntry.objects.filter(person=person).count(),
        *["note"] * CaseNote.objects.filter(person=person, status="final").count(),
        "step",
        "document",
    ]
    assert subject.item_count == len(kinds)
    visit = item(subject, "note", record["visit"].pk)
    assert {f["key"]: f["text"] for f in visit.fields}["body"] == THIRD_PARTY_NOTE
    answers = {f["key"]: f["text"] for f in item(subject, "step", step.pk).fields}
    assert "Mum and Darren Kettle seen together." in answers.values()
    document = item(subject, "document", record["report"].pk)
    assert document.document_version_id == record["report"].current_version_id
    # and the gathering is recorded as an export of the person's record
    event = AuditEvent.objects.get(kind="access", action="export", person_id=person.pk)
    assert event.summary == f"Gathered the case file for {sar.reference} ({len(kinds)} items)"


def test_the_third_parties_found_are_relatives_household_and_staff_not_the_allocated_worker(
    officer: User,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
    users: dict[str, User],
) -> None:
    subject = gathered(officer, sar, person)

    terms = {term["text"]: term["kind"] for term in subject.third_parties}
    assert terms["Kerry Whitmore"] == "relative"
    assert terms["Darren Kettle"] == "household"
    assert terms["Darren"] == "household"
    assert terms[users["team_manager"].get_full_name()] == "staff"
    assert users["allocated_worker"].get_full_name() not in terms
    assert "Jayden Whitmore" not in terms
    assert "Jayden" not in terms


def test_a_gathering_killed_part_way_carries_on_without_keeping_a_row_twice(
    officer: User, sar: SubjectAccessRequest, person: Person, record: dict[str, Any]
) -> None:
    services.identity_record(
        actor=officer, sar=sar, verified_on=sar.received_on, method="known", notes=""
    )
    subject = services.subject_add(actor=officer, sar=sar, person=person)
    services.work_start(actor=officer, sar=sar)
    job = gathering.gather_start(actor=officer, sar=sar, subject=subject)
    real = casefile_items.items_for_part
    calls = {"count": 0}

    def dies_on_the_third_part(**kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 3:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    # When the worker dies on the third part
    with (
        mock.patch.object(casefile_items, "items_for_part", dies_on_the_third_part),
        pytest.raises(RuntimeError),
    ):
        jobs.job_run(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.state["done"] == 2
    kept = ReviewItem.objects.filter(subject=subject).count()
    assert kept > 0

    # Then the next run carries on from the third part
    job = run(job)
    assert job.status == Job.Status.SUCCEEDED
    subject.refresh_from_db()
    expected = sum(len(real(person=person, actor=officer, part=part)) for part in job.state["plan"])
    assert subject.item_count == ReviewItem.objects.filter(subject=subject).count() == expected


def test_the_file_cannot_go_for_review_until_everyone_on_it_is_gathered(
    officer: User, sar: SubjectAccessRequest, person: Person, record: dict[str, Any]
) -> None:
    services.identity_record(
        actor=officer, sar=sar, verified_on=sar.received_on, method="known", notes=""
    )
    services.subject_add(actor=officer, sar=sar, person=person)
    services.work_start(actor=officer, sar=sar)

    with pytest.raises(ValidationError, match="Gather the case file of everyone"):
        review.review_send(actor=officer, sar=sar)


# -- the review screen -----------------------------------------------------------------------------


def test_the_review_screen_highlights_third_parties_and_contact_details_not_the_persons_own(
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(22):
        page = officer_client.get(_review_url(sar, person), {"section": "notes"})

    assert page.status_code == 200
    content = page.content.decode()
    assert (
        '<mark class="app-highlight app-highlight--household" title="Darren Kettle: in Whitmore household">Darren Kettle</mark>'
        in content
    )
    assert 'title="A phone number">07700 900123</mark>' in content
    assert 'title="A postcode">LS6 2AB</mark>' in content
    assert "LS1 4AP</mark>" not in content  # his own postcode
    # and reading the file is recorded as a view of the person's record
    event = AuditEvent.objects.filter(kind="access", person_id=person.pk).latest("pk")
    assert event.summary == f"Reviewed the case file gathered for {sar.reference} (page 1)"


def test_the_review_screen_reads_a_fixed_number_of_queries_whatever_the_page_holds(
    officer_client: Client,
    officer: User,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    from tests.factories import CaseNoteFactory

    for number in range(40):
        CaseNoteFactory(
            person=person, subject=f"Visit {number}", body=f"Darren Kettle visit {number}"
        )
    subject = gathered(officer, sar, person)
    review.review_send(actor=officer, sar=sar)
    first = ReviewItem.objects.filter(subject=subject, kind="note").order_by("position").first()
    assert first is not None
    review.redaction_add(
        actor=officer, sar=sar, item=first, words="Darren Kettle", exemption="third_party"
    )

    with django_assert_max_num_queries(22):
        page = officer_client.get(_review_url(sar, person), {"section": "notes", "page": "2"})
    assert page.status_code == 200
    assert len(page.context["items"]) == 42 - 25


# -- redactions ----------------------------------------------------------------------------------


def _redact(
    client: Client, sar: SubjectAccessRequest, person: Person, row: ReviewItem, **posted: Any
) -> Any:
    data = {f"redact-{row.pk}-{name}": value for name, value in posted.items()}
    data["query"] = "section=notes"
    return client.post(_review_url(sar, person, "redaction-add", item_id=row.pk), data)


def test_typed_words_are_redacted_wherever_they_appear_in_the_item(
    officer: User,
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    visit = item(reviewing, "note", record["visit"].pk)

    response = _redact(officer_client, sar, person, visit, words="darren", exemption="third_party")

    assert response.status_code == 302
    assert response["Location"].endswith(f"?section=notes#item-{visit.pk}")
    spans = list(
        Redaction.objects.filter(item=visit).order_by("start").values_list("field_key", "text")
    )
    assert spans == [("body", "Darren"), ("body", "Darren")]
    event = AuditEvent.objects.get(kind="change", action="redact")
    assert (event.person_id, event.actor) == (person.pk, officer)


@pytest.mark.parametrize(
    "query",
    [
        "section=notes\r\nSet-Cookie: x=1",
        "//evil.example/",
        "section=<script>&page=99999999",
        "page=2#x",
    ],
)
def test_a_hostile_page_address_sent_with_a_form_is_not_followed(
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
    query: str,
) -> None:
    visit = item(reviewing, "note", record["visit"].pk)

    response = officer_client.post(
        _review_url(sar, person, "redaction-add", item_id=visit.pk),
        {
            f"redact-{visit.pk}-words": "Darren",
            f"redact-{visit.pk}-exemption": "third_party",
            "query": query,
        },
    )

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(_review_url(sar, person))
    assert "\n" not in location
    assert "evil" not in location
    assert "script" not in location


def test_selected_words_are_redacted_at_that_place_only(
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    visit = item(reviewing, "note", record["visit"].pk)
    start = THIRD_PARTY_NOTE.index("Darren said")

    response = _redact(
        officer_client,
        sar,
        person,
        visit,
        words="Darren",
        exemption="third_party",
        field="body",
        start=start,
        end=start + 6,
    )

    assert response.status_code == 302
    assert list(Redaction.objects.values_list("start", "end")) == [(start, start + 6)]


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        (
            {"words": "", "exemption": "third_party"},
            "Enter the words to redact, or select them on the page.",
        ),
        ({"words": "w" * 10_001, "exemption": "third_party"}, "10000 characters or fewer"),
        ({"words": "w" * 600, "exemption": "third_party"}, "These words are not in this item"),
        ({"words": "Zebedee", "exemption": "third_party"}, "These words are not in this item"),
        ({"words": "Darren", "exemption": ""}, "Choose the exemption the redaction rests on."),
        (
            {"words": "Darren", "exemption": "because"},
            "Choose the exemption the redaction rests on.",
        ),
        ({"words": "Darren\x00", "exemption": "third_party"}, "contains a control character"),
        (
            {
                "words": "Darren",
                "exemption": "third_party",
                "field": "body",
                "start": "0",
                "end": "6",
            },
            "not in this item as chosen",
        ),
        (
            {
                "words": "Darren",
                "exemption": "third_party",
                "field": "nope",
                "start": "32",
                "end": "38",
            },
            "not in this item as chosen",
        ),
        (
            {
                "words": "Darren",
                "exemption": "third_party",
                "field": "body",
                "start": "-1",
                "end": "5",
            },
            "not in this item as chosen",
        ),
        (
            {
                "words": "Darren",
                "exemption": "third_party",
                "field": "body",
                "start": "x",
                "end": "5",
            },
            "not in this item as chosen",
        ),
        (
            {
                "words": "Darren",
                "exemption": "third_party",
                "field": "body",
                "start": "9" * 15,
                "end": "5",
            },
            "not in this item as chosen",
        ),
    ],
)
def test_a_wrong_redaction_is_refused_on_the_item_keeping_what_was_typed(
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
    posted: dict[str, str],
    message: str,
) -> None:
    visit = item(reviewing, "note", record["visit"].pk)

    response = _redact(officer_client, sar, person, visit, **posted)

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f'href="#id_redact-{visit.pk}-' in content
    if posted["words"] and len(posted["words"]) < 100:
        assert (
            f'value="{posted["words"].replace(chr(0), "")}' in content or "\x00" in posted["words"]
        )
    assert not Redaction.objects.exists()


def test_redacting_everywhere_covers_every_item_of_the_file(
    officer_client: Client,
    officer: User,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    response = officer_client.post(
        _review_url(sar, person, "redact-everywhere"),
        {"everywhere-words": "Kettle", "everywhere-exemption": "third_party", "query": ""},
    )

    assert response.status_code == 302
    assert Redaction.objects.filter(text="Kettle").count() == 1
    again = officer_client.post(
        _review_url(sar, person, "redact-everywhere"),
        {"everywhere-words": "Kettle", "everywhere-exemption": "third_party", "query": ""},
    )
    assert again.status_code == 400
    assert b"already redacted everywhere" in again.content
    short = officer_client.post(
        _review_url(sar, person, "redact-everywhere"),
        {"everywhere-words": "K", "everywhere-exemption": "third_party"},
    )
    assert b"Enter at least 2 characters to redact." in short.content


# -- decisions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"decision": ""}, "Choose whether to release or withhold this item."),
        ({"decision": "publish"}, "Choose whether to release or withhold this item."),
        ({"decision": "withhold"}, "Choose the exemption for withholding it."),
        (
            {"decision": "release", "leave_out": "on"},
            "Only a withheld item can be left out without a trace.",
        ),
        ({"decision": "release_copy"}, "Choose whether to release or withhold this item."),
        ({"decision": "release", "note": "n" * 2001}, "2000 characters or fewer"),
    ],
)
def test_a_wrong_decision_is_refused_on_the_item(
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
    posted: dict[str, str],
    message: str,
) -> None:
    visit = item(reviewing, "note", record["visit"].pk)
    data = {f"item-{visit.pk}-{name}": value for name, value in posted.items()}

    response = officer_client.post(_review_url(sar, person, "item-decide", item_id=visit.pk), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    visit.refresh_from_db()
    assert visit.decision == Decision.PENDING


def test_withholding_needs_the_exemption_and_is_audited(
    officer: User,
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    supervision = item(reviewing, "note", record["supervision"].pk)

    response = officer_client.post(
        _review_url(sar, person, "item-decide", item_id=supervision.pk),
        {
            f"item-{supervision.pk}-decision": "withhold",
            f"item-{supervision.pk}-exemption": "crime",
            f"item-{supervision.pk}-note": "Police asked.",
        },
    )

    assert response.status_code == 302
    supervision.refresh_from_db()
    assert (supervision.decision, supervision.exemption, supervision.decided_by) == (
        "withhold",
        "crime",
        officer,
    )
    event = AuditEvent.objects.get(kind="change", action="review")
    assert event.changes["decision"] == ["pending", "withhold"]


def test_releasing_the_undecided_items_of_a_page_leaves_decided_ones_alone(
    officer: User,
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    supervision = item(reviewing, "note", record["supervision"].pk)
    review.item_decide(
        actor=officer,
        sar=sar,
        item=supervision,
        decision="withhold",
        exemption="crime",
        leave_out=False,
        note="",
    )
    ids = [
        str(pk) for pk in ReviewItem.objects.filter(subject=reviewing).values_list("pk", flat=True)
    ]

    response = officer_client.post(
        _review_url(sar, person, "items-release"), {"item": [*ids, "abc", "-3"], "query": ""}
    )

    assert response.status_code == 302
    supervision.refresh_from_db()
    assert supervision.decision == "withhold"
    assert not ReviewItem.objects.filter(subject=reviewing, decision=Decision.PENDING).exists()
    nothing_left = officer_client.post(_review_url(sar, person, "items-release"), {"item": ids})
    assert nothing_left.status_code == 400


# -- redacted copies of documents --------------------------------------------------------------------


def test_a_redacted_copy_replaces_the_original_unless_it_is_the_same_file(
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    document = item(reviewing, "document", record["report"].pk)
    url = _review_url(sar, person, "redacted-copy", item_id=document.pk)
    assert officer_client.get(url).status_code == 200

    same = post_files(officer_client, url, {}, [("minutes.pdf", samples.pdf("minutes"))])
    assert same.status_code == 400
    assert b"This file is the same as the original" in same.content

    hostile = post_files(officer_client, url, {}, [("evil.exe", b"MZ\x90\x00" + b"\x00" * 100)])
    assert hostile.status_code == 400
    assert b"cannot be uploaded because" in hostile.content

    none = post_files(officer_client, url, {}, [])
    assert none.status_code == 400

    copy = post_files(
        officer_client, url, {}, [("minutes-redacted.pdf", samples.pdf("minutes redacted"))]
    )
    assert copy.status_code == 302
    document.refresh_from_db()
    assert document.decision == Decision.RELEASE_COPY
    assert document.redacted_copy is not None
    assert document.redacted_copy.confidentiality == Document.Confidentiality.RESTRICTED


def test_the_original_document_is_downloaded_for_review_with_an_access_event(
    officer: User,
    officer_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    document = item(reviewing, "document", record["report"].pk)

    response = officer_client.get(_review_url(sar, person, "item-original", item_id=document.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    event = AuditEvent.objects.filter(kind="access", person_id=person.pk).latest("pk")
    assert (event.action, event.object_id) == ("download", str(record["report"].pk))
    note = item(reviewing, "note", record["visit"].pk)
    assert (
        officer_client.get(_review_url(sar, person, "item-original", item_id=note.pk)).status_code
        == 404
    )


# -- sign-off ----------------------------------------------------------------------------------


def test_sign_off_needs_every_item_decided(
    officer: User, second_officer: User, reviewing: RequestSubject, sar: SubjectAccessRequest
) -> None:
    with pytest.raises(ValidationError, match="not yet decided"):
        review.sign_off(actor=second_officer, sar=sar, notes="")
    sar.refresh_from_db()
    assert sar.signed_off_at is None
    assert not Job.objects.filter(kind="subject_access.release").exists()


def test_sign_off_must_come_from_an_officer_who_took_no_part_in_the_review(
    officer: User,
    officer_client: Client,
    second_officer: User,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
) -> None:
    _decide_all(officer, sar, reviewing)

    response = officer_client.post(
        reverse("subject_access:sign-off", kwargs={"sar_id": sar.pk}), {"notes": ""}
    )

    assert response.status_code == 400
    assert b"You took part in this review, so another officer must sign it off." in response.content
    sar.refresh_from_db()
    assert sar.signed_off_at is None

    # Nor can a redaction's author sign off
    visit = ReviewItem.objects.filter(subject=reviewing, kind="note").first()
    assert visit is not None
    Redaction.objects.create(
        item=visit,
        field_key="body",
        start=0,
        end=5,
        text="Visit",
        exemption="third_party",
        created_by=second_officer,
    )
    with pytest.raises(ValidationError, match="You took part in this review"):
        review.sign_off(actor=second_officer, sar=sar, notes="")


def test_staff_without_the_sign_off_capability_cannot_sign_off(
    officer: User,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    users: dict[str, User],
    client_for: Any,
) -> None:
    _decide_all(officer, sar, reviewing)

    assert (
        client_for("senior_manager")
        .post(reverse("subject_access:sign-off", kwargs={"sar_id": sar.pk}))
        .status_code
        == 404
    )
    with pytest.raises(ValidationError, match=r"You cannot sign off disclosures\."):
        review.sign_off(actor=users["senior_manager"], sar=sar, notes="")


def test_nothing_in_the_review_changes_after_sign_off_until_it_is_reopened(
    officer: User,
    officer_client: Client,
    second_officer: User,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    _decide_all(officer, sar, reviewing)
    review.sign_off(actor=second_officer, sar=sar, notes="Checked every redaction.")
    visit = item(reviewing, "note", record["visit"].pk)

    refused = _redact(officer_client, sar, person, visit, words="Darren", exemption="third_party")
    assert refused.status_code == 400
    assert b"The review has been signed off: reopen it to change anything." in refused.content
    assert not Redaction.objects.exists()

    for job in Job.objects.filter(kind="subject_access.release"):
        run(job)
    reviewing.refresh_from_db()
    bundle = reviewing.release_pdf
    assert bundle is not None

    # When the review is reopened
    with pytest.raises(ValidationError):
        review.review_reopen(actor=officer, sar=sar, reason="short")
    review.review_reopen(actor=officer, sar=sar, reason="The police asked us to withhold more.")

    # Then the sign-off and the bundle made from it are withdrawn
    sar.refresh_from_db()
    reviewing.refresh_from_db()
    bundle.refresh_from_db()
    assert (sar.signed_off_at, reviewing.release_pdf) == (None, None)
    assert bundle.is_deleted
    assert (
        _redact(
            officer_client, sar, person, visit, words="Darren", exemption="third_party"
        ).status_code
        == 302
    )


# -- the released bundle ----------------------------------------------------------------------------


@pytest.fixture
def released_bundle(
    officer: User,
    second_officer: User,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> dict[str, Any]:
    visit = item(reviewing, "note", record["visit"].pk)
    review.redaction_add(
        actor=officer, sar=sar, item=visit, words="Darren Kettle", exemption="third_party"
    )
    review.redaction_add(
        actor=officer,
        sar=sar,
        item=visit,
        words="14 Orchard Close, Leeds LS6 2AB",
        exemption="third_party",
    )
    review.redaction_add(
        actor=officer, sar=sar, item=visit, words="07700 900123", exemption="third_party"
    )
    start = THIRD_PARTY_NOTE.index("Darren said")
    review.redaction_add(
        actor=officer,
        sar=sar,
        item=visit,
        words="Darren",
        exemption="third_party",
        field_key="body",
        start=start,
        end=start + 6,
    )
    supervision = item(reviewing, "note", record["supervision"].pk)
    review.item_decide(
        actor=officer,
        sar=sar,
        item=supervision,
        decision="withhold",
        exemption="crime",
        leave_out=False,
        note="",
    )
    mother = item(reviewing, "relationship", reviewing.person.relationships.get().pk)
    review.item_decide(
        actor=officer,
        sar=sar,
        item=mother,
        decision="withhold",
        exemption="serious_harm_social_work",
        leave_out=True,
        note="",
    )
    _decide_all(officer, sar, reviewing)
    review.sign_off(actor=second_officer, sar=sar, notes="")
    for job in Job.objects.filter(kind="subject_access.release"):
        assert run(job).status == Job.Status.SUCCEEDED
    reviewing.refresh_from_db()
    return {"subject": reviewing, "visit": visit}


def test_the_released_pdf_has_the_redacted_words_removed_not_covered(
    released_bundle: dict[str, Any], record: dict[str, Any], person: Person
) -> None:
    subject = released_bundle["subject"]
    text = _pdf_text(subject.release_pdf)

    # The redacted words are not in the PDF's text at all
    for words in ("Darren", "Kettle", "Orchard Close", "LS6 2AB", "07700", "900123"):
        assert words not in text, words
    # each redaction is marked where it was, with its reason
    assert text.count("[Redacted: third-party information]") == 4
    assert (
        "Visited Jayden at home. His mother's partner [Redacted: third-party information] was there;"
        in text
    )
    assert "Jayden said he feels safe." in text
    # the withheld note says so, and none of its words are there
    assert "[Withheld: prevention or detection of crime]" in text
    assert "REF-POLICE-77" not in text
    # the relationship left out without a trace is not there at all
    assert "Kerry" not in text
    assert "serious harm" not in text
    # the title page lists the reasons, and the index each section
    assert "Information we hold about Jayden Whitmore" in text
    assert "Third-party information 0 4" in text
    assert "Prevention or detection of crime 1 0" in text
    assert "Personal details and identifiers" in text


def test_the_released_zip_holds_the_released_documents_under_names_that_say_nothing(
    released_bundle: dict[str, Any], record: dict[str, Any]
) -> None:
    subject = released_bundle["subject"]
    with document_storage().open(str(subject.release_zip.current_version.file.name)) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert archive.namelist() == ["0001-document.pdf", "index.csv"]
    assert archive.read("0001-document.pdf") == samples.pdf("minutes")
    index = archive.read("index.csv").decode("utf-8-sig")
    assert "Strategy meeting minutes" in index
    assert record["report"].uploaded_by.username not in index
    assert subject.release_attachments == 1


def test_the_bundle_download_is_audited_as_an_export_of_the_person(
    officer_client: Client,
    released_bundle: dict[str, Any],
    sar: SubjectAccessRequest,
    person: Person,
    officer: User,
) -> None:
    response = officer_client.get(_review_url(sar, person, "bundle-download", which="pdf"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    event = AuditEvent.objects.filter(kind="access", person_id=person.pk).latest("pk")
    assert (event.action, event.actor) == ("export", officer)
    assert event.summary == f"Exported the disclosure of {sar.reference} (PDF bundle)"
    assert (
        officer_client.get(_review_url(sar, person, "bundle-download", which="exe")).status_code
        == 404
    )


def test_release_is_recorded_after_sign_off_with_the_date_how_and_what(
    officer: User,
    officer_client: Client,
    released_bundle: dict[str, Any],
    sar: SubjectAccessRequest,
    person: Person,
) -> None:
    url = reverse("subject_access:release", kwargs={"sar_id": sar.pk})
    form = officer_client.get(url)
    assert b"a PDF bundle of" in form.content
    today = timezone.localdate()
    yesterday = today - timezone.timedelta(days=1)

    too_early = officer_client.post(
        url,
        {
            "released_on_day": yesterday.day,
            "released_on_month": yesterday.month,
            "released_on_year": yesterday.year,
            "method": "secure_email",
            "description": "PDF and ZIP by Egress.",
        },
    )
    assert too_early.status_code == 400
    assert b"when it was signed off" in too_early.content

    response = officer_client.post(
        url,
        {
            "released_on_day": today.day,
            "released_on_month": today.month,
            "released_on_year": today.year,
            "method": "secure_email",
            "description": "PDF and ZIP by Egress.",
        },
    )

    assert response.status_code == 302
    sar.refresh_from_db()
    assert (sar.status, sar.released_on, sar.release_method, sar.released_by) == (
        Status.RELEASED,
        today,
        "secure_email",
        officer,
    )
    assert (
        AuditEvent.objects.filter(kind="change", action="release", person_id=person.pk).count() == 1
    )


def test_release_cannot_be_recorded_before_sign_off(
    officer: User, reviewing: RequestSubject, sar: SubjectAccessRequest
) -> None:
    _decide_all(officer, sar, reviewing)

    with pytest.raises(ValidationError, match="signed off by a second officer first"):
        review.release_record(
            actor=officer,
            sar=sar,
            released_on=timezone.localdate(),
            method="post",
            description="The whole file by post.",
        )
    sar.refresh_from_db()
    assert sar.status == Status.IN_REVIEW


def test_release_waits_for_the_bundles(
    officer: User, second_officer: User, reviewing: RequestSubject, sar: SubjectAccessRequest
) -> None:
    _decide_all(officer, sar, reviewing)
    review.sign_off(actor=second_officer, sar=sar, notes="")

    with pytest.raises(ValidationError, match="still being made"):
        review.release_record(
            actor=officer,
            sar=sar,
            released_on=timezone.localdate(),
            method="post",
            description="The whole file by post.",
        )


def test_a_bundle_made_for_a_withdrawn_sign_off_stores_nothing(
    officer: User, second_officer: User, reviewing: RequestSubject, sar: SubjectAccessRequest
) -> None:
    _decide_all(officer, sar, reviewing)
    review.sign_off(actor=second_officer, sar=sar, notes="")
    stale = Job.objects.get(kind="subject_access.release")
    review.review_reopen(actor=officer, sar=sar, reason="A redaction was missed on page 3.")

    run(stale)

    reviewing.refresh_from_db()
    assert stale.result == {"superseded": True}
    assert reviewing.release_pdf is None
    assert not Document.objects.filter(title__startswith="Subject access disclosure").exists()


def test_a_request_in_another_state_cannot_be_reviewed(
    officer: User,
    officer_client: Client,
    sar: SubjectAccessRequest,
    person: Person,
    record: dict[str, Any],
) -> None:
    subject = gathered(officer, sar, person)  # gathered, but not sent for review
    visit = item(subject, "note", record["visit"].pk)

    response = _redact(officer_client, sar, person, visit, words="Darren", exemption="third_party")

    assert response.status_code == 400
    assert b"The file is not in review" in response.content
    assert re.search(rb"Review the case file of Jayden Whitmore", response.content)


def test_a_second_request_is_independent(
    officer: User, person: Person, record: dict[str, Any]
) -> None:
    first = make_request(officer)
    second = make_request(officer)
    a = gathered(officer, first, person)
    b = gathered(officer, second, person)
    assert a.item_count == b.item_count
    assert ReviewItem.objects.filter(subject=a).count() == a.item_count


def test_wrong_sign_off_reopen_and_release_forms_say_why_and_change_nothing(
    officer: User,
    officer_client: Client,
    second_officer: User,
    second_client: Client,
    reviewing: RequestSubject,
    sar: SubjectAccessRequest,
) -> None:
    _decide_all(officer, sar, reviewing)
    sign_off_url = reverse("subject_access:sign-off", kwargs={"sar_id": sar.pk})
    too_long = second_client.post(sign_off_url, {"notes": "n" * 2001})
    assert too_long.status_code == 400
    assert b"2000 characters or fewer" in too_long.content
    assert second_client.post(sign_off_url, {"notes": "All checked."}).status_code == 302

    reopen_url = reverse("subject_access:reopen", kwargs={"sar_id": sar.pk})
    for reason, message in (
        ("", b"Enter why the review is being reopened."),
        ("oops", b"at least 10 characters"),
    ):
        response = officer_client.post(reopen_url, {"reason": reason})
        assert response.status_code == 400
        assert message in response.content

    release_url = reverse("subject_access:release", kwargs={"sar_id": sar.pk})
    today = timezone.localdate()
    date = {
        "released_on_day": today.day,
        "released_on_month": today.month,
        "released_on_year": today.year,
    }
    for posted, message in (
        (
            {"method": "secure_email", "description": "The PDF and ZIP."},
            b"Enter the date it was sent.",
        ),
        (
            {**date, "method": "pigeon", "description": "The PDF and ZIP."},
            b"Choose how it was sent.",
        ),
        ({**date, "method": "post", "description": ""}, b"Enter what was sent."),
        ({**date, "method": "post", "description": "The PDF and ZIP."}, b"still being made"),
    ):
        response = officer_client.post(release_url, posted)
        assert response.status_code == 400
        assert message in response.content
    sar.refresh_from_db()
    assert (sar.status, sar.signed_off_by) == (Status.IN_REVIEW, second_officer)
