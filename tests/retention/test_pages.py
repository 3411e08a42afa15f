"""The retention pages: the review list, a decision and its confirmation, the destruction's
progress, legal holds and destroyed records; bad input on every form, and who sees what."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casemgmt import jobs
from casemgmt.models import AuditEvent, Job, User
from clients.models import Person, RecordAccessGrant
from retention import services
from retention.models import LegalHold, RetentionReview, Tombstone
from tests.factories import CaseNoteFactory, PersonFactory
from tests.retention.records import aware, note, person

pytestmark = pytest.mark.django_db

D = datetime.date
REASON = "No contact for ten years; nothing open; checked with the team manager."
HOSTILE = '<script>alert("x")</script>'


def _due(first_name: str = "Dora", last_name: str = "Due", **extra: Any) -> Person:
    someone = person(
        first_name=first_name, last_name=last_name, date_of_birth=D(1975, 5, 5), **extra
    )
    note(someone, on=D(2012, 2, 2))
    return someone


@pytest.fixture
def review(db: None) -> RetentionReview:
    someone = _due()
    services.review_list_build()
    return RetentionReview.objects.get(person=someone)


def _url(review: RetentionReview) -> str:
    return reverse("retention:review-detail", kwargs={"review_id": review.pk})


def _decide(client: Client, review: RetentionReview, **data: str) -> Any:
    return client.post(_url(review), {"action": "decide", **data})


def _change_count() -> int:
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count()


# -- the review list ----------------------------------------------------------------------------


def test_the_review_list_names_each_record_with_its_rule_and_date_and_is_audited(
    review: RetentionReview, officer_client: Client, officer: User
) -> None:
    response = officer_client.get(reverse("retention:review-list"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Dora Due" in content
    assert "Everyone else" in content
    assert "2 Feb 2018" in content
    assert "1 record" in content
    event = AuditEvent.objects.get(actor=officer, object_type="retention_review_list")
    assert (event.kind, event.person_id) == (AuditEvent.Kind.ACCESS, None)


def test_the_review_list_filters_by_rule_and_reports_a_bad_filter(
    review: RetentionReview, officer_client: Client, rules: dict[str, Any]
) -> None:
    other_rule = rules["adult"].pk

    filtered = officer_client.get(reverse("retention:review-list"), {"rule": other_rule})
    bad = officer_client.get(reverse("retention:review-list"), {"rule": "999999", "status": "x"})

    assert "Dora Due" not in filtered.content.decode()
    assert bad.status_code == 200
    assert "Choose a rule from the list." in bad.content.decode()
    assert "Choose a status from the list." in bad.content.decode()
    assert "Dora Due" in bad.content.decode()


def test_the_review_list_reads_the_same_queries_for_3_records_as_for_60(
    officer_client: Client,
) -> None:
    def count() -> int:
        services.review_list_build()
        with CaptureQueriesContext(connection) as queries:
            response = officer_client.get(reverse("retention:review-list"))
        assert response.status_code == 200
        return len(queries.captured_queries)

    count()  # the first request also reads the session's device and permissions
    for index in range(3):
        _due(first_name=f"Few{index}")
    few = count()
    for index in range(57):
        _due(first_name=f"Many{index}")
    many = count()

    assert many == few
    assert many <= 16


def test_a_restricted_record_on_the_list_is_shown_by_id_alone_until_access_is_given(
    officer_client: Client, officer: User
) -> None:
    hidden = _due(first_name="Hattie", last_name="Hidden")
    Person.objects.filter(pk=hidden.pk).update(access_level=Person.AccessLevel.SEALED)
    services.review_list_build()
    review = RetentionReview.objects.get(person=hidden)

    listed = officer_client.get(reverse("retention:review-list"))
    detail = officer_client.get(_url(review))

    assert "Hidden" not in listed.content.decode()
    assert "Records not open to you" in listed.content.decode()
    assert reverse("clients:record-access", kwargs={"person_id": hidden.pk}) in (
        listed.content.decode()
    )
    assert detail.status_code == 404
    assert "Hidden" not in detail.content.decode()

    RecordAccessGrant.objects.create(
        person=hidden, user=officer, reason="To decide on its retention.", granted_by=officer
    )
    assert officer_client.get(_url(review)).status_code == 200


@pytest.mark.parametrize("persona", ["senior_manager", "team_manager", "admin"])
def test_the_review_pages_are_for_information_governance_only(
    review: RetentionReview, client_for: Callable[[str], Client], persona: str
) -> None:
    client = client_for(persona)

    assert client.get(reverse("retention:review-list")).status_code == 403
    assert client.get(reverse("retention:tombstone-list")).status_code == 403
    assert client.get(_url(review)).status_code == 404


# -- a decision -----------------------------------------------------------------------------------


def test_the_review_page_shows_why_the_record_is_due_and_is_audited_once(
    review: RetentionReview, officer_client: Client, officer: User
) -> None:
    response = officer_client.get(_url(review))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Dora Due" in content
    assert "2 February 2012" in content  # the last contact
    assert "Record the decision" in content
    events = AuditEvent.objects.filter(actor=officer, kind=AuditEvent.Kind.ACCESS)
    assert list(events.values_list("person_id", flat=True)) == [review.person_id]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"decide-reason": REASON}, "decide-decision", "Choose what should happen to the record."),
        (
            {"decide-decision": "shred", "decide-reason": REASON},
            "decide-decision",
            "Choose what should happen to the record.",
        ),
        ({"decide-decision": "destroy"}, "decide-reason", "Enter the reason for your decision."),
        (
            {"decide-decision": "destroy", "decide-reason": "x" * 1001},
            "decide-reason",
            "Reason must be 1000 characters or fewer (you entered 1001).",
        ),
        (
            {"decide-decision": "destroy", "decide-reason": "too short"},
            "decide-reason",
            "Reason must be at least 10 characters.",
        ),
        (
            {"decide-decision": "retain", "decide-reason": REASON},
            "decide-retain_until",
            "Enter the date to keep the record until.",
        ),
        (
            {
                "decide-decision": "retain",
                "decide-reason": REASON,
                "decide-retain_until_day": "31",
                "decide-retain_until_month": "2",
                "decide-retain_until_year": "2030",
            },
            "decide-retain_until",
            "Keep the record until must be a real date.",
        ),
        (
            {
                "decide-decision": "retain",
                "decide-reason": REASON,
                "decide-retain_until_day": "1",
                "decide-retain_until_month": "1",
                "decide-retain_until_year": "2020",
            },
            "decide-retain_until",
            "The date to keep the record until must be in the future.",
        ),
        (
            {"decide-decision": "hold", "decide-reason": REASON},
            "decide-reference",
            "Enter the reference of the court case, inquiry or claim.",
        ),
        (
            {"decide-decision": "hold", "decide-reason": REASON, "decide-reference": "r" * 101},
            "decide-reference",
            "Reference must be 100 characters or fewer (you entered 101).",
        ),
    ],
)
def test_a_wrong_decision_says_why_on_its_field_keeps_what_was_typed_and_changes_nothing(
    review: RetentionReview,
    officer_client: Client,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    changes = _change_count()

    response = _decide(officer_client, review, **data)

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f'id="id_{field}' in content
    if "decide-reason" in data and len(data["decide-reason"]) <= 1001:
        assert data["decide-reason"] in content
    review.refresh_from_db()
    assert (review.status, LegalHold.objects.count(), _change_count()) == ("pending", 0, changes)


def test_hostile_text_is_kept_escaped(review: RetentionReview, officer_client: Client) -> None:
    response = _decide(officer_client, review, **{"decide-reason": HOSTILE})

    assert response.status_code == 400
    assert HOSTILE not in response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.content.decode()


def test_a_form_from_elsewhere_is_refused_without_a_500(
    review: RetentionReview, officer_client: Client
) -> None:
    response = officer_client.post(_url(review), {"action": "launch", "decide-reason": REASON})

    assert response.status_code == 400
    assert "Choose what to do, then try again." in response.content.decode()


def test_retaining_from_the_page_keeps_the_record_until_the_date(
    review: RetentionReview, officer_client: Client
) -> None:
    until = timezone.localdate() + datetime.timedelta(days=400)

    response = _decide(
        officer_client,
        review,
        **{
            "decide-decision": "retain",
            "decide-reason": REASON,
            "decide-retain_until_day": str(until.day),
            "decide-retain_until_month": str(until.month),
            "decide-retain_until_year": str(until.year),
        },
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.retain_until) == ("retained", until)


def test_from_proposal_to_tombstone_through_the_pages(
    review: RetentionReview,
    officer_client: Client,
    second_officer_client: Client,
    officer: User,
    second_officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    someone = review.person
    # One officer proposes
    proposed = _decide(
        officer_client, review, **{"decide-decision": "destroy", "decide-reason": REASON}
    )
    assert proposed.status_code == 302
    own = officer_client.get(_url(review)).content.decode()
    assert "Another officer must confirm it before anything is deleted." in own
    assert 'id="confirm-form"' not in own
    # and cannot confirm their own proposal, even by posting the form
    refused = officer_client.post(_url(review), {"action": "confirm", "confirm-confirmed": "on"})
    assert refused.status_code == 400
    assert "another officer must confirm it" in refused.content.decode()
    # The second must tick the box
    unticked = second_officer_client.post(_url(review), {"action": "confirm"})
    assert unticked.status_code == 400
    assert "Confirm that the record should be destroyed" in unticked.content.decode()
    assert not Job.objects.exists()

    with django_capture_on_commit_callbacks():
        confirmed = second_officer_client.post(
            _url(review), {"action": "confirm", "confirm-confirmed": "on"}
        )

    job = Job.objects.get()
    status_url = reverse("retention:destruction", kwargs={"job_id": job.pk})
    assert confirmed["Location"] == status_url
    waiting = second_officer_client.get(status_url)
    assert "Destruction of record" in waiting.content.decode()
    assert "Dora" not in waiting.content.decode()
    # When the job runs
    jobs.job_run(str(job.pk))
    # Then the page shows what was destroyed, and the tombstone lists it by number alone
    done = second_officer_client.get(status_url, headers={"HX-Request": "true"})
    assert "Record destroyed" in done.content.decode()
    assert "<html" not in done.content.decode()
    tombstones = officer_client.get(reverse("retention:tombstone-list")).content.decode()
    assert str(someone.pk) in tombstones
    assert "Ida Okafor" in tombstones
    assert "Ian Price" in tombstones
    assert "Dora" not in tombstones
    assert Tombstone.objects.get().decided_by == officer
    gone = officer_client.get(reverse("clients:person-detail", kwargs={"person_id": someone.pk}))
    assert gone.status_code == 404


def test_a_proposal_is_sent_back_from_the_page_with_a_reason(
    review: RetentionReview, officer: User, second_officer_client: Client
) -> None:
    services.review_decide(actor=officer, review=review, decision="destroy", reason=REASON)

    missing = second_officer_client.post(_url(review), {"action": "send_back"})
    sent = second_officer_client.post(
        _url(review), {"action": "send_back", "back-reason": "Sibling's case is still open."}
    )

    assert missing.status_code == 400
    assert "Enter why the proposal is sent back." in missing.content.decode()
    assert sent.status_code == 302
    review.refresh_from_db()
    assert review.status == "pending"


def test_the_destruction_page_is_404_for_another_kind_of_job(
    officer_client: Client, officer: User
) -> None:
    job = Job.objects.create(kind="documents.casefile_export", title="Export", created_by=officer)

    response = officer_client.get(reverse("retention:destruction", kwargs={"job_id": job.pk}))

    assert response.status_code == 404


# -- legal holds ---------------------------------------------------------------------------------


@pytest.fixture
def senior(client_for: Callable[[str], Client]) -> Client:
    return client_for("senior_manager")


def test_finding_a_record_to_hold_by_its_id(senior: Client, person: Person) -> None:
    sealed = PersonFactory(access_level=Person.AccessLevel.SEALED)
    url = reverse("retention:hold-list")

    found = senior.get(url, {"person": f" {person.pk} "})
    not_a_number = senior.get(url, {"person": "12a"})
    missing = senior.get(url, {"person": "999999"})
    not_open = senior.get(url, {"person": str(sealed.pk)})

    assert found["Location"] == reverse("retention:person", kwargs={"person_id": person.pk})
    assert not_a_number.status_code == 400
    assert "Person ID must be a number, like 1042." in not_a_number.content.decode()
    assert 'value="12a"' in not_a_number.content.decode()
    # The same words for a record that does not exist and one that is not open to them.
    for response in (missing, not_open):
        assert response.status_code == 400
        assert "No record with this person ID is open to you." in response.content.decode()


def test_placing_and_releasing_a_hold_from_the_pages(
    senior: Client, person: Person, users: dict[str, User]
) -> None:
    create = reverse("retention:hold-create", kwargs={"person_id": person.pk})

    empty = senior.post(create, {})
    hostile = senior.post(create, {"reference": HOSTILE, "reason": "short"})
    placed = senior.post(
        create, {"reference": "IICSA", "reason": "The inquiry asked for every record of the home."}
    )

    assert empty.status_code == 400
    assert "Enter the reference of the court case, inquiry or claim." in empty.content.decode()
    assert "Enter why the record must be kept." in empty.content.decode()
    assert hostile.status_code == 400
    assert HOSTILE not in hostile.content.decode()
    assert "Reason must be at least 10 characters." in hostile.content.decode()
    assert placed.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.reference, hold.placed_by) == ("IICSA", users["senior_manager"])

    page = senior.get(reverse("retention:person", kwargs={"person_id": person.pk}))
    assert "IICSA" in page.content.decode()
    release = reverse("retention:hold-release", kwargs={"person_id": person.pk, "hold_id": hold.pk})
    no_reason = senior.post(release, {"reason": ""})
    released = senior.post(release, {"reason": "The inquiry has published its report."})
    assert no_reason.status_code == 400
    assert "Enter why the hold is no longer needed." in no_reason.content.decode()
    assert released.status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active


def test_the_person_page_does_not_change_under_a_hold(
    person: Person, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    url = reverse("clients:person-detail", kwargs={"person_id": person.pk})
    before = client_for("allocated_worker").get(url).content.decode()
    LegalHold.objects.create(
        person=person, reason="Claim.", reference="SECRET-REF-1", placed_by=users["senior_manager"]
    )

    for persona in ("allocated_worker", "senior_manager"):
        after = client_for(persona).get(url).content.decode()
        assert "SECRET-REF-1" not in after
        assert "legal hold" not in after.lower()
    assert "legal hold" not in before.lower()


def test_a_hold_on_a_record_the_manager_may_not_open_is_counted_not_named(
    senior: Client, users: dict[str, User]
) -> None:
    sealed = PersonFactory(first_name="Sybil", access_level=Person.AccessLevel.SEALED)
    LegalHold.objects.create(
        person=sealed, reason="Claim.", reference="CL-77", placed_by=users["senior_manager"]
    )

    response = senior.get(reverse("retention:hold-list"))

    content = response.content.decode()
    assert "Sybil" not in content
    assert "CL-77" not in content
    assert "1 more hold is in place on records not open to you." in content


def test_the_holds_list_reads_the_same_queries_for_few_and_many(
    senior: Client, users: dict[str, User]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert senior.get(reverse("retention:hold-list")).status_code == 200
        return len(queries.captured_queries)

    def holds(number: int) -> None:
        for _ in range(number):
            LegalHold.objects.create(
                person=PersonFactory(), reason="Claim.", reference="CL", placed_by=users["admin"]
            )

    count()  # the first request also reads the session's device and permissions
    holds(2)
    few = count()
    holds(40)

    assert count() == few


def test_a_case_note_written_after_listing_is_shown_as_no_longer_due(
    review: RetentionReview, officer_client: Client
) -> None:
    CaseNoteFactory(person=review.person, event_at=aware(timezone.localdate()))

    content = officer_client.get(_url(review)).content.decode()

    assert "The record is no longer due" in content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reference": "r" * 101, "reason": REASON}, "Reference must be 100 characters or fewer"),
        ({"reference": "IICSA", "reason": "x" * 1001}, "Reason must be 1000 characters or fewer"),
        ({"reference": "IIC\u202eSA", "reason": REASON}, "hidden text-direction characters"),
        ({"reference": "IICSA", "reason": "Claim\x07 issued in the county court."}, "control"),
    ],
)
def test_a_wrong_hold_says_why_keeps_what_was_typed_and_places_nothing(
    senior: Client, person: Person, data: dict[str, str], message: str
) -> None:
    changes = _change_count()

    response = senior.post(reverse("retention:hold-create", kwargs={"person_id": person.pk}), data)

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    if len(data["reason"]) <= 1000 and "\x07" not in data["reason"]:
        assert data["reason"] in content
    assert (LegalHold.objects.count(), _change_count()) == (0, changes)


def test_releasing_with_an_oversized_reason_keeps_the_hold(
    senior: Client, person: Person, users: dict[str, User]
) -> None:
    hold = LegalHold.objects.create(
        person=person, reason="Claim.", reference="CL-6", placed_by=users["senior_manager"]
    )
    url = reverse("retention:hold-release", kwargs={"person_id": person.pk, "hold_id": hold.pk})

    response = senior.post(url, {"reason": "y" * 1001})

    assert response.status_code == 400
    assert (
        "Reason must be 1000 characters or fewer (you entered 1001)." in response.content.decode()
    )
    hold.refresh_from_db()
    assert hold.is_active


def test_a_hold_of_another_record_is_404(
    senior: Client, person: Person, users: dict[str, User]
) -> None:
    elsewhere = LegalHold.objects.create(
        person=PersonFactory(), reason="Claim.", reference="CL-7", placed_by=users["admin"]
    )

    response = senior.get(
        reverse("retention:hold-release", kwargs={"person_id": person.pk, "hold_id": elsewhere.pk})
    )

    assert response.status_code == 404
