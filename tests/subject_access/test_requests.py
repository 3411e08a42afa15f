"""A request as a tracked case: logging it, identity, stopping the clock, the extension,
matching the person on the record, refusing or withdrawing, and the list of requests."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import Person, RecordAccessGrant
from subject_access import deadlines, services
from subject_access.models import Pause, RequestSubject, SubjectAccessRequest
from tests.factories import PersonFactory
from tests.subject_access.conftest import make_request

pytestmark = pytest.mark.django_db

Status = SubjectAccessRequest.Status
D = datetime.date


def _form(**overrides: str) -> dict[str, str]:
    received = timezone.localdate() - datetime.timedelta(days=2)
    return {
        "received_on_day": str(received.day),
        "received_on_month": str(received.month),
        "received_on_year": str(received.year),
        "channel": "letter",
        "requester_name": "Kerry Whitmore",
        "requester_role": "parent",
        "authority": "Mother with parental responsibility; Jayden (10) too young to ask himself.",
        "requester_address": "3 Mill Lane\nLeeds LS1 4AP",
        "requester_email": "",
        "requester_phone": "0113 496 0000",
        "subject_name": "Jayden Whitmore",
        "subject_date_of_birth_day": "14",
        "subject_date_of_birth_month": "3",
        "subject_date_of_birth_year": "2015",
        "subject_details": "",
        "scope": "All records about Jayden since 2020.",
        **overrides,
    }


def _errors(response: Any) -> str:
    return response.content.decode()


# -- logging a request --------------------------------------------------------------------------


def test_an_officer_logs_a_request_and_its_deadline_runs_from_receipt(
    officer: User, officer_client: Client
) -> None:
    # When an officer logs a request received two days ago
    response = officer_client.post(reverse("subject_access:request-create"), _form())

    # Then it is saved with a reference and a deadline one calendar month from receipt
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "subject_access:request-detail", kwargs={"sar_id": sar.pk}
    )
    received = timezone.localdate() - datetime.timedelta(days=2)
    assert sar.reference == f"SAR-{received.year}-{sar.pk:05d}"
    assert (sar.status, sar.received_on, sar.clock_started_on) == (
        Status.RECEIVED,
        received,
        received,
    )
    assert sar.due_on == deadlines.due_date(received)
    assert (sar.owner, sar.created_by) == (officer, officer)
    assert sar.requester_address == "3 Mill Lane\nLeeds LS1 4AP"
    # and the change is audited
    event = AuditEvent.objects.get(kind="change", object_id=str(sar.pk))
    assert event.action == "create"
    assert event.changes["due_on"] == [None, sar.due_on.isoformat()]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"requester_name": ""},
            "requester_name",
            "Enter the name of the person who made the request.",
        ),
        (
            {"requester_name": "x" * 201},
            "requester_name",
            "200 characters or fewer (you entered 201)",
        ),
        ({"requester_name": "Kerry\x00Whitmore"}, "requester_name", "contains a control character"),
        ({"requester_name": "Kerry\u202eWhitmore"}, "requester_name", "hidden text-direction"),
        (
            {"subject_name": ""},
            "subject_name",
            "Enter the name of the person the request is about.",
        ),
        ({"scope": ""}, "scope", "Enter what the requester asked for."),
        ({"scope": "y" * 10_001}, "scope", "10000 characters or fewer"),
        ({"channel": ""}, "channel", "Choose how the request was received."),
        ({"channel": "pigeon"}, "channel", "Choose how the request was received."),
        ({"requester_role": "king"}, "requester_role", "Choose who is asking."),
        ({"authority": ""}, "authority", "Enter the authority they have to act"),
        (
            {"requester_address": "", "requester_phone": ""},
            "requester_address",
            "Enter at least one way to reply",
        ),
        ({"requester_email": "not-an-email"}, "requester_email", "right format"),
        ({"received_on_day": ""}, "received_on", "must include a day"),
        ({"received_on_day": "31", "received_on_month": "2"}, "received_on", "must be a real date"),
        ({"received_on_year": "3026"}, "received_on", "must be today or in the past"),
        ({"received_on_year": "2019"}, "received_on", "within the last 2 years"),
        (
            {"subject_date_of_birth_year": "3015"},
            "subject_date_of_birth",
            "must be today or in the past",
        ),
    ],
)
def test_a_wrong_request_says_why_on_the_field_keeps_what_was_typed_and_saves_nothing(
    officer_client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    posted = _form(**overrides)

    response = officer_client.post(reverse("subject_access:request-create"), posted)

    assert response.status_code == 400
    page = _errors(response)
    assert message.replace("'", "&#x27;") in page
    assert f'id="id_{field}' in page
    assert "govuk-error-summary" in page
    assert "All records about Jayden since 2020." in page or overrides.get("scope") is not None
    assert SubjectAccessRequest.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="change").exists()


def test_hostile_text_is_kept_as_text_and_shown_escaped(
    officer: User, officer_client: Client
) -> None:
    hostile = '<script>alert("x")</script>'
    sar = make_request(officer, requester_name=hostile, scope=f"Everything {hostile}")

    page = officer_client.get(reverse("subject_access:request-detail", kwargs={"sar_id": sar.pk}))

    assert page.status_code == 200
    assert hostile.encode() not in page.content
    assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.content


def test_the_request_page_is_audited_as_a_view_of_the_request(
    officer: User, officer_client: Client, sar: SubjectAccessRequest
) -> None:
    officer_client.get(reverse("subject_access:request-detail", kwargs={"sar_id": sar.pk}))

    event = AuditEvent.objects.filter(kind="access").latest("pk")
    assert (event.actor, event.action, event.object_id) == (officer, "view", str(sar.pk))
    assert event.summary == f"Viewed subject access request {sar.reference}"


def test_correcting_the_date_of_receipt_moves_the_deadline(
    officer: User, officer_client: Client, sar: SubjectAccessRequest
) -> None:
    earlier = sar.received_on - datetime.timedelta(days=5)
    values = {name: getattr(sar, name) for name in services.REQUEST_FIELDS}
    values["received_on"] = earlier

    services.request_update(actor=officer, sar=sar, **values)

    sar.refresh_from_db()
    assert (sar.received_on, sar.clock_started_on) == (earlier, earlier)
    assert sar.due_on == deadlines.due_date(earlier)
    event = AuditEvent.objects.filter(kind="change", action="update").get()
    assert event.changes["due_on"][1] == sar.due_on.isoformat()


def test_the_owner_can_only_be_an_officer_who_runs_requests(
    officer: User, officer_client: Client, sar: SubjectAccessRequest, users: dict[str, User]
) -> None:
    edit = reverse("subject_access:request-edit", kwargs={"sar_id": sar.pk})
    posted = _form(owner=str(users["team_manager"].pk))

    response = officer_client.post(edit, posted)

    assert response.status_code == 400
    assert b"Choose an information governance officer from the list." in response.content
    sar.refresh_from_db()
    assert sar.owner == officer


# -- identity, and stopping the clock -----------------------------------------------------------


def test_identity_is_recorded_with_the_date_and_how(
    officer: User, officer_client: Client, sar: SubjectAccessRequest
) -> None:
    url = reverse("subject_access:identity", kwargs={"sar_id": sar.pk})
    day = sar.received_on

    response = officer_client.post(
        url,
        {
            "verified_on_day": day.day,
            "verified_on_month": day.month,
            "verified_on_year": day.year,
            "method": "documents",
            "notes": "Passport and council tax bill seen; not copied.",
        },
    )

    assert response.status_code == 302
    sar.refresh_from_db()
    assert (sar.identity_verified_on, sar.identity_method) == (day, "documents")


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"method": "documents"}, "Enter the date identity was confirmed."),
        ({"days_before": 1, "method": "documents"}, "must be on or after"),
        ({"days_before": -10, "method": "documents"}, "must be today or in the past"),
        (
            {"days_before": 0, "method": "telepathy"},
            "Choose how the requester&#x27;s identity was confirmed.",
        ),
        (
            {"days_before": 0, "method": "documents", "notes": "n" * 2001},
            "2000 characters or fewer",
        ),
    ],
)
def test_a_wrong_identity_check_is_refused_on_its_field(
    officer_client: Client, sar: SubjectAccessRequest, posted: dict[str, Any], message: str
) -> None:
    data: dict[str, Any] = {"method": posted.get("method", ""), "notes": posted.get("notes", "")}
    if "days_before" in posted:
        day = sar.received_on - datetime.timedelta(days=posted["days_before"])
        data |= {
            "verified_on_day": day.day,
            "verified_on_month": day.month,
            "verified_on_year": day.year,
        }

    response = officer_client.post(
        reverse("subject_access:identity", kwargs={"sar_id": sar.pk}), data
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    sar.refresh_from_db()
    assert sar.identity_verified_on is None


def test_asking_for_clarification_stops_the_clock_and_the_answer_restarts_it(
    officer: User, officer_client: Client
) -> None:
    with time_machine.travel(
        datetime.datetime(2026, 1, 20, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        sar = make_request(officer, received_on=D(2026, 1, 12))
        assert sar.due_on == D(2026, 2, 12)
        # When the officer asks what is meant by "everything"
        response = officer_client.post(
            reverse("subject_access:pause-start", kwargs={"sar_id": sar.pk}),
            {
                "kind": "clarification",
                "asked_on_day": "14",
                "asked_on_month": "1",
                "asked_on_year": "2026",
                "asked_how": "email",
                "details": "Which years, and children's or adults' services?",
            },
        )
        assert response.status_code == 302
        sar.refresh_from_db()
        # Then the request waits with no deadline
        assert (sar.status, sar.due_on) == (Status.AWAITING, None)

    with time_machine.travel(
        datetime.datetime(2026, 1, 31, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        # When the answer arrives on 31 January
        response = officer_client.post(
            reverse("subject_access:pause-end", kwargs={"sar_id": sar.pk}),
            {
                "received_on_day": "31",
                "received_on_month": "1",
                "received_on_year": "2026",
                "notes": "",
            },
        )
        assert response.status_code == 302
    sar.refresh_from_db()
    # Then a new month runs from that day: 28 February 2026 is a Saturday, so Monday 2 March
    assert (sar.status, sar.clock_started_on, sar.due_on) == (
        Status.RECEIVED,
        D(2026, 1, 31),
        D(2026, 3, 2),
    )
    pause = Pause.objects.get()
    assert (pause.received_on, pause.resumes_status) == (D(2026, 1, 31), Status.RECEIVED)
    actions = list(
        AuditEvent.objects.filter(kind="change").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["create", "pause", "resume"]


def test_the_answer_cannot_arrive_before_it_was_asked_for(
    officer: User, sar: SubjectAccessRequest
) -> None:
    asked = timezone.localdate()
    services.pause_start(
        actor=officer,
        sar=sar,
        kind="identity",
        asked_on=asked,
        asked_how="letter",
        details="Photo ID please.",
    )

    with pytest.raises(ValidationError) as refused:
        services.pause_end(
            actor=officer, sar=sar, received_on=asked - datetime.timedelta(days=1), notes=""
        )

    assert "must be on or after" in refused.value.message_dict["received_on"][0]
    sar.refresh_from_db()
    assert sar.status == Status.AWAITING


def test_the_clock_cannot_be_stopped_once_the_deadline_has_passed(officer: User) -> None:
    with time_machine.travel(
        datetime.datetime(2026, 3, 20, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        sar = make_request(officer, received_on=D(2026, 2, 2))  # due 2 March
        with pytest.raises(ValidationError) as refused:
            services.pause_start(
                actor=officer,
                sar=sar,
                kind="clarification",
                asked_on=D(2026, 3, 10),
                asked_how="email",
                details="What exactly?",
            )
    assert "had passed by then" in refused.value.message_dict["asked_on"][0]
    assert not Pause.objects.exists()


def test_starting_work_needs_identity_and_a_matched_record(
    officer: User, officer_client: Client, sar: SubjectAccessRequest
) -> None:
    response = officer_client.post(reverse("subject_access:work-start", kwargs={"sar_id": sar.pk}))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Record how the requester&#x27;s identity was confirmed first." in page
    assert "Find the person the request is about on the record first." in page
    sar.refresh_from_db()
    assert sar.status == Status.RECEIVED


# -- the extension ------------------------------------------------------------------------------


def _extend(client: Client, sar: SubjectAccessRequest, **overrides: str) -> Any:
    today = timezone.localdate()
    return client.post(
        reverse("subject_access:extend", kwargs={"sar_id": sar.pk}),
        {
            "months": "2",
            "reason": "Twelve years of records across three teams and 400 documents.",
            "told_on_day": str(today.day),
            "told_on_month": str(today.month),
            "told_on_year": str(today.year),
            "told_how": "email",
            "letter": "Dear Jayden, we need two more months because your file is very large.",
            **overrides,
        },
    )


def test_the_deadline_is_extended_once_with_the_reason_and_the_requester_told(
    officer: User, officer_client: Client, sar: SubjectAccessRequest
) -> None:
    form = officer_client.get(reverse("subject_access:extend", kwargs={"sar_id": sar.pk}))
    assert "{REASON}" in form.content.decode()  # the shipped letter, to be filled in

    response = _extend(officer_client, sar)

    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.extension_months == 2
    assert sar.due_on == deadlines.due_date(sar.received_on, extension_months=2)
    assert (sar.extension_told_how, sar.extended_by) == ("email", officer)
    event = AuditEvent.objects.get(kind="change", action="extend")
    assert event.reason == "Twelve years of records across three teams and 400 documents."

    again = _extend(officer_client, sar, months="1")
    assert again.status_code == 400
    assert b"already been extended: it can be extended once" in again.content


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"months": "3"}, "Choose an extension of 1 or 2 months."),
        ({"months": ""}, "Choose an extension of 1 or 2 months."),
        ({"reason": ""}, "Enter why the request is complex"),
        ({"reason": "Big"}, "must be at least 10 characters"),
        ({"told_how": ""}, "Choose how the requester was told."),
        ({"told_on_day": ""}, "must include a day"),
        ({"letter": ""}, "Enter what the requester was told"),
        ({"letter": "Dear Jayden, because {REASON}."}, "Replace {REASON} in the letter"),
        ({"letter": "z" * 10_001}, "10000 characters or fewer"),
    ],
)
def test_a_wrong_extension_is_refused_on_its_field_and_changes_nothing(
    officer_client: Client, sar: SubjectAccessRequest, overrides: dict[str, str], message: str
) -> None:
    due = sar.due_on

    response = _extend(officer_client, sar, **overrides)

    assert response.status_code == 400
    assert message in response.content.decode()
    sar.refresh_from_db()
    assert (sar.extension_months, sar.due_on) == (0, due)


def test_the_deadline_cannot_be_extended_once_it_has_passed(officer: User) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, 0, tzinfo=datetime.UTC), tick=False):
        sar = make_request(officer, received_on=D(2026, 1, 30))  # due Monday 2 March
        with pytest.raises(ValidationError, match="has passed: it can be extended only before"):
            services.deadline_extend(
                actor=officer,
                sar=sar,
                months=2,
                reason="It is a very large file indeed.",
                told_on=D(2026, 3, 3),
                told_how="email",
                letter="We need more time, sorry.",
            )
    sar.refresh_from_db()
    assert (sar.extension_months, sar.due_on) == (0, D(2026, 3, 2))


def test_the_requester_must_be_told_of_the_extension_by_the_first_deadline(officer: User) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        sar = make_request(officer, received_on=D(2026, 1, 30))
        updated = services.deadline_extend(
            actor=officer,
            sar=sar,
            months=1,
            reason="Records held in three archives.",
            told_on=D(2026, 3, 2),
            told_how="letter",
            letter="We need one more month, sorry.",
        )
    # The last day it may be extended, by a month: 30 March 2026 (a Monday)
    assert updated.due_on == D(2026, 3, 30)


def test_a_paused_request_has_no_deadline_to_extend(
    officer: User, sar: SubjectAccessRequest
) -> None:
    services.pause_start(
        actor=officer,
        sar=sar,
        kind="identity",
        asked_on=timezone.localdate(),
        asked_how="letter",
        details="Photo ID please.",
    )

    with pytest.raises(ValidationError, match="Only an open request whose clock is running"):
        services.deadline_extend(
            actor=officer,
            sar=sar,
            months=1,
            reason="A large file to go through.",
            told_on=timezone.localdate(),
            told_how="letter",
            letter="We need more time.",
        )


def test_after_an_extension_the_clock_cannot_be_stopped(
    officer: User, sar: SubjectAccessRequest
) -> None:
    services.deadline_extend(
        actor=officer,
        sar=sar,
        months=1,
        reason="A large file to go through.",
        told_on=timezone.localdate(),
        told_how="letter",
        letter="We need more time.",
    )
    with pytest.raises(ValidationError, match="ask for identity or clarification before"):
        services.pause_start(
            actor=officer,
            sar=sar,
            kind="clarification",
            asked_on=timezone.localdate(),
            asked_how="letter",
            details="What do you mean?",
        )


# -- refusing, withdrawing ------------------------------------------------------------------------


def _close(client: Client, sar: SubjectAccessRequest, **overrides: str) -> Any:
    today = timezone.localdate()
    return client.post(
        reverse("subject_access:close", kwargs={"sar_id": sar.pk}),
        {
            "outcome": "refused",
            "closed_on_day": str(today.day),
            "closed_on_month": str(today.month),
            "closed_on_year": str(today.year),
            "ground": "exemption",
            "exemption": "crime",
            "reason": "Disclosure would prejudice a live police investigation.",
            "told_on_day": str(today.day),
            "told_on_month": str(today.month),
            "told_on_year": str(today.year),
            "told_how": "letter",
            "letter": "We cannot give you this information because it would prejudice...",
            **overrides,
        },
    )


def test_a_refusal_records_the_ground_the_exemption_and_how_the_requester_was_told(
    officer_client: Client, sar: SubjectAccessRequest
) -> None:
    response = _close(officer_client, sar)

    assert response.status_code == 302
    sar.refresh_from_db()
    assert (sar.status, sar.closure_ground, sar.closure_exemption) == (
        Status.REFUSED,
        "exemption",
        "crime",
    )
    assert sar.closure_told_how == "letter"
    assert AuditEvent.objects.get(kind="change", action="refuse").reason.startswith("Disclosure")

    # and a closed request can no longer change
    again = _close(officer_client, sar, outcome="withdrawn")
    assert again.status_code == 400
    assert b"This request is already closed." in again.content


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcome": ""}, "Choose whether the request is refused or was withdrawn."),
        ({"ground": ""}, "Choose the ground for refusing the request."),
        ({"exemption": ""}, "Choose the exemption the refusal rests on."),
        ({"exemption": "because"}, "Choose the exemption the refusal rests on."),
        ({"reason": "no"}, "must be at least 10 characters"),
        ({"told_how": ""}, "Choose how the requester was told."),
        ({"letter": ""}, "Enter what the requester was told"),
    ],
)
def test_a_wrong_refusal_is_refused_on_its_field(
    officer_client: Client, sar: SubjectAccessRequest, overrides: dict[str, str], message: str
) -> None:
    response = _close(officer_client, sar, **overrides)

    assert response.status_code == 400
    assert message in response.content.decode()
    sar.refresh_from_db()
    assert sar.status == Status.RECEIVED


def test_a_withdrawal_needs_only_the_date_and_reason(
    officer_client: Client, sar: SubjectAccessRequest
) -> None:
    response = _close(
        officer_client, sar, outcome="withdrawn", ground="", exemption="", told_how="", letter=""
    )

    assert response.status_code == 302
    sar.refresh_from_db()
    assert (sar.status, sar.closure_ground, sar.closure_told_on) == (Status.WITHDRAWN, "", None)


# -- matching the person on the record --------------------------------------------------------------


def test_the_person_is_found_with_the_scoped_search_and_added(
    officer: User, officer_client: Client, sar: SubjectAccessRequest, person: Person
) -> None:
    url = reverse("subject_access:subject-find", kwargs={"sar_id": sar.pk})
    found = officer_client.get(url, {"name": "Jaydn Whitmor"})
    assert found.status_code == 200
    assert f'name="person" value="{person.pk}"'.encode() in found.content

    response = officer_client.post(url, {"person": str(person.pk)})

    assert response.status_code == 302
    subject = RequestSubject.objects.get(request=sar)
    assert subject.person == person
    event = AuditEvent.objects.get(kind="change", object_type="subject_access.requestsubject")
    assert event.person_id == person.pk

    twice = officer_client.post(url, {"person": str(person.pk)})
    assert twice.status_code == 400
    assert b"This person is already on the request." in twice.content


@pytest.mark.parametrize("posted", ["", "abc", "-1", "9" * 30, "1 OR 1=1"])
def test_adding_something_that_is_not_a_person_found_is_refused(
    officer_client: Client, sar: SubjectAccessRequest, posted: str
) -> None:
    response = officer_client.post(
        reverse("subject_access:subject-find", kwargs={"sar_id": sar.pk}), {"person": posted}
    )

    assert response.status_code == 400
    assert b"Choose a person from the search results." in response.content
    assert not RequestSubject.objects.exists()


def test_a_sealed_record_is_not_found_or_added_until_the_officer_is_granted_it_by_name(
    officer: User, officer_client: Client, sar: SubjectAccessRequest, users: dict[str, User]
) -> None:
    # Given an adopted child's sealed record
    sealed = PersonFactory(
        first_name="Amara", last_name="Sealey", access_level=Person.AccessLevel.SEALED
    )
    url = reverse("subject_access:subject-find", kwargs={"sar_id": sar.pk})

    # Then search does not find it, and adding it by id is the 404 of a missing person
    assert (
        f'value="{sealed.pk}"'.encode()
        not in officer_client.get(url, {"name": "Amara Sealey"}).content
    )
    assert officer_client.post(url, {"person": str(sealed.pk)}).status_code == 404
    assert not RequestSubject.objects.exists()

    # When the record is shared with the officer by name
    RecordAccessGrant.objects.create(
        person=sealed,
        user=officer,
        reason=f"Subject access request {sar.reference}",
        granted_by=users["senior_manager"],
    )

    # Then it is found and added
    assert (
        f'value="{sealed.pk}"'.encode() in officer_client.get(url, {"name": "Amara Sealey"}).content
    )
    assert officer_client.post(url, {"person": str(sealed.pk)}).status_code == 302


def test_a_colleague_without_the_grant_sees_the_request_but_not_the_sealed_record(
    officer: User, second_client: Client, sar: SubjectAccessRequest, users: dict[str, User]
) -> None:
    sealed = PersonFactory(
        first_name="Amara", last_name="Sealey", access_level=Person.AccessLevel.SEALED
    )
    RecordAccessGrant.objects.create(
        person=sealed, user=officer, reason="SAR", granted_by=users["senior_manager"]
    )
    services.subject_add(actor=officer, sar=sar, person=sealed)

    page = second_client.get(reverse("subject_access:request-detail", kwargs={"sar_id": sar.pk}))

    assert page.status_code == 200
    assert b"Sealey" not in page.content
    assert b"A record that is not open to you" in page.content
    review = second_client.get(
        reverse("subject_access:review", kwargs={"sar_id": sar.pk, "person_id": sealed.pk})
    )
    assert review.status_code == 404


# -- the list ------------------------------------------------------------------------------------


def test_the_list_shows_open_requests_by_deadline_with_overdue_highlighted_and_counts(
    officer: User, officer_client: Client, second_officer: User, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    late = make_request(
        officer, received_on=today - datetime.timedelta(days=70), subject_name="Late Person"
    )
    soon = make_request(
        officer, received_on=today - datetime.timedelta(days=27), subject_name="Soon Person"
    )
    fresh = make_request(second_officer, received_on=today, subject_name="Fresh Person")
    closed = make_request(officer, received_on=today, subject_name="Closed Person")
    services.request_close(
        actor=officer,
        sar=closed,
        outcome="withdrawn",
        closed_on=today,
        reason="They no longer want it.",
    )
    for number in range(20):
        make_request(
            officer,
            received_on=today - datetime.timedelta(days=number % 10),
            subject_name=f"Other {number}",
        )

    with django_assert_max_num_queries(12):
        page = officer_client.get(reverse("subject_access:request-list"))

    content = page.content.decode()
    assert page.status_code == 200
    assert (
        content.index("Late Person") < content.index("Soon Person") < content.index("Fresh Person")
    )
    assert "Closed Person" not in content
    assert "app-sar-overdue" in content
    counts = page.context["counts"]
    assert (counts.open, counts.overdue, counts.mine) == (23, 1, 22)
    assert counts.due_soon >= 1
    mine = officer_client.get(reverse("subject_access:request-list"), {"mine": "1"})
    assert fresh.reference not in mine.content.decode()
    closed_page = officer_client.get(reverse("subject_access:request-list"), {"show": "closed"})
    assert "Closed Person" in closed_page.content.decode()
    assert soon.reference not in closed_page.content.decode()
    assert late.reference in content


def test_a_wrong_filter_is_reported_and_ignored(
    officer_client: Client, sar: SubjectAccessRequest
) -> None:
    page = officer_client.get(
        reverse("subject_access:request-list"), {"show": "everything", "status": "<b>"}
    )

    assert page.status_code == 200
    assert b"Choose which requests to show from the list." in page.content
    assert b"Choose a status from the list." in page.content
    assert sar.reference.encode() in page.content


def test_staff_who_do_not_run_requests_are_refused_everything(
    client_for: Any, sar: SubjectAccessRequest
) -> None:
    for persona in ("team_manager", "senior_manager", "allocated_worker", "admin"):
        client = client_for(persona)
        assert client.get(reverse("subject_access:request-list")).status_code == 403
        assert (
            client.get(
                reverse("subject_access:request-detail", kwargs={"sar_id": sar.pk})
            ).status_code
            == 404
        )
        assert client.post(reverse("subject_access:request-create"), _form()).status_code == 403
    assert SubjectAccessRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Choose what you asked the requester for."),
        ({"kind": "money"}, "Choose what you asked the requester for."),
        (
            {"kind": "identity", "asked_how": "email", "details": "Photo ID"},
            "Enter the date you asked.",
        ),
        (
            {"kind": "identity", "asked_how": "fax", "details": "Photo ID", "today": True},
            "Choose how you asked.",
        ),
        (
            {"kind": "identity", "asked_how": "email", "details": "", "today": True},
            "Enter what you asked the requester for.",
        ),
        (
            {"kind": "identity", "asked_how": "email", "details": "d" * 2001, "today": True},
            "2000 characters or fewer",
        ),
        (
            {"kind": "identity", "asked_how": "email", "details": "<b>\x07</b>", "today": True},
            "contains a control character",
        ),
    ],
)
def test_a_wrong_request_for_identity_or_clarification_is_refused_and_the_clock_runs_on(
    officer_client: Client, sar: SubjectAccessRequest, posted: dict[str, Any], message: str
) -> None:
    data = {name: value for name, value in posted.items() if name != "today"}
    if posted.get("today"):
        today = timezone.localdate()
        data |= {
            "asked_on_day": today.day,
            "asked_on_month": today.month,
            "asked_on_year": today.year,
        }

    response = officer_client.post(
        reverse("subject_access:pause-start", kwargs={"sar_id": sar.pk}), data
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    sar.refresh_from_db()
    assert (sar.status, sar.due_on is not None) == (Status.RECEIVED, True)
    assert not Pause.objects.exists()


def test_recording_an_answer_when_nothing_is_awaited_is_refused(
    officer_client: Client, sar: SubjectAccessRequest
) -> None:
    today = timezone.localdate()
    url = reverse("subject_access:pause-end", kwargs={"sar_id": sar.pk})

    missing = officer_client.post(url, {"notes": ""})
    nothing_awaited = officer_client.post(
        url,
        {
            "received_on_day": today.day,
            "received_on_month": today.month,
            "received_on_year": today.year,
        },
    )

    assert missing.status_code == 400
    assert b"Enter the date it arrived." in missing.content
    assert nothing_awaited.status_code == 400
    assert (
        b"The clock is not stopped: nothing is awaited from the requester."
        in nothing_awaited.content
    )
    sar.refresh_from_db()
    assert sar.clock_started_on == sar.received_on
