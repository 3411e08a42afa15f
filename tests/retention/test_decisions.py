"""Decisions on the review list and legal holds: four eyes, holds at decision time, bad
input refused with the reason, and every decision audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.models import AuditEvent, Job, User
from clients.models import Person
from retention import erasure, services
from retention.models import LegalHold, RetentionReview
from retention.services import Decision
from tests.retention.records import involvement, note, person

pytestmark = pytest.mark.django_db

D = datetime.date
REASON = "No contact for ten years; nothing open; checked with the team manager."


@pytest.fixture
def due() -> Person:
    """A relative last seen in 2012, so due since 2018 under the catch-all."""
    someone = person(first_name="Dora", last_name="Due", date_of_birth=D(1975, 5, 5))
    note(someone, on=D(2012, 2, 2))
    return someone


@pytest.fixture
def review(due: Person) -> RetentionReview:
    services.review_list_build()
    return RetentionReview.objects.get(person=due)


def _changes() -> list[tuple[str, Any]]:
    return list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE)
        .exclude(action="retention_review_list")
        .order_by("id")
        .values_list("action", "person_id")
    )


def _refused(call: Callable[[], Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# -- destroy: proposed, then confirmed by someone else -------------------------------------------


def test_a_destruction_is_proposed_by_one_officer_and_confirmed_by_another(
    review: RetentionReview,
    officer: User,
    second_officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    proposed = services.review_decide(
        actor=officer, review=review, decision=Decision.DESTROY, reason=REASON
    )
    assert (proposed.status, proposed.decided_by) == ("destroy_proposed", officer)
    assert not Job.objects.exists()

    with django_capture_on_commit_callbacks() as callbacks:
        confirmed = services.review_confirm_destruction(
            actor=second_officer, review=review, confirmed=True
        )

    assert (confirmed.status, confirmed.confirmed_by) == ("destroying", second_officer)
    job = Job.objects.get()
    assert (job.kind, job.params, job.created_by) == (
        erasure.JOB_KIND,
        {"person_id": review.person_id, "review_id": review.pk},
        second_officer,
    )
    assert job.title == f"Destruction of record {review.person_id}"
    assert len(callbacks) == 1  # the job is queued once the confirmation commits
    assert _changes() == [
        ("retention_propose_destruction", review.person_id),
        ("retention_destroy_confirmed", review.person_id),
    ]
    assert AuditEvent.objects.get(action="retention_propose_destruction").reason == REASON


def test_the_officer_who_proposed_cannot_confirm(review: RetentionReview, officer: User) -> None:
    services.review_decide(actor=officer, review=review, decision=Decision.DESTROY, reason=REASON)

    errors = _refused(
        lambda: services.review_confirm_destruction(actor=officer, review=review, confirmed=True)
    )

    assert errors == {
        "__all__": ["You proposed destroying this record: another officer must confirm it."]
    }
    review.refresh_from_db()
    assert review.status == "destroy_proposed"
    assert not Job.objects.exists()


def test_the_database_refuses_one_officer_deciding_and_confirming(
    review: RetentionReview, officer: User
) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionReview.objects.filter(pk=review.pk).update(
            status="destroying",
            decided_by=officer,
            decided_at=timezone.now(),
            confirmed_by=officer,
            confirmed_at=timezone.now(),
        )


def test_confirming_needs_the_box_ticked(
    review: RetentionReview, officer: User, second_officer: User
) -> None:
    services.review_decide(actor=officer, review=review, decision=Decision.DESTROY, reason=REASON)

    errors = _refused(
        lambda: services.review_confirm_destruction(
            actor=second_officer, review=review, confirmed=False
        )
    )

    assert errors == {
        "confirmed": ["Confirm that the record should be destroyed: this cannot be undone."]
    }


def test_a_record_under_a_hold_cannot_be_proposed_for_destruction(
    review: RetentionReview, due: Person, officer: User
) -> None:
    LegalHold.objects.create(person=due, reason="Claim.", reference="CL-2", placed_by=officer)

    errors = _refused(
        lambda: services.review_decide(
            actor=officer, review=review, decision=Decision.DESTROY, reason=REASON
        )
    )

    assert errors == {
        "__all__": [
            "The record is under the legal hold CL-2: nothing of it may be destroyed until the "
            "hold is released."
        ]
    }
    review.refresh_from_db()
    assert review.status == "pending"


def test_a_hold_placed_after_the_proposal_takes_it_off_the_list_and_blocks_confirmation(
    review: RetentionReview, due: Person, officer: User, second_officer: User
) -> None:
    services.review_decide(actor=officer, review=review, decision=Decision.DESTROY, reason=REASON)

    hold = services.legal_hold_place(
        actor=second_officer,
        person=due,
        reason="The Independent Inquiry asked for all records of the home.",
        reference="IICSA",
    )

    review.refresh_from_db()
    assert (review.status, review.legal_hold) == ("held", hold)
    errors = _refused(
        lambda: services.review_confirm_destruction(
            actor=second_officer, review=review, confirmed=True
        )
    )
    assert errors == {"__all__": ["This record has already been dealt with: Legal hold."]}


def test_a_hold_slipped_in_under_a_proposal_still_blocks_confirmation(
    review: RetentionReview, due: Person, officer: User, second_officer: User
) -> None:
    services.review_decide(actor=officer, review=review, decision=Decision.DESTROY, reason=REASON)
    # Written behind the service's back: the confirmation checks for itself.
    LegalHold.objects.create(person=due, reason="Claim.", reference="CL-3", placed_by=officer)

    errors = _refused(
        lambda: services.review_confirm_destruction(
            actor=second_officer, review=review, confirmed=True
        )
    )

    assert errors["__all__"][0].startswith("The record is under the legal hold CL-3")
    assert not Job.objects.exists()


def test_a_record_in_use_again_cannot_be_destroyed(
    review: RetentionReview, due: Person, officer: User, second_officer: User
) -> None:
    services.review_decide(actor=officer, review=review, decision=Decision.DESTROY, reason=REASON)
    involvement(due, start=D(2026, 1, 5), end=None)

    errors = _refused(
        lambda: services.review_confirm_destruction(
            actor=second_officer, review=review, confirmed=True
        )
    )

    assert errors == {"__all__": ["The record is no longer due: work with the person is ongoing."]}


def test_a_proposal_can_be_sent_back_with_a_reason(
    review: RetentionReview, officer: User, second_officer: User
) -> None:
    services.review_decide(actor=officer, review=review, decision=Decision.DESTROY, reason=REASON)

    back = services.review_send_back(
        actor=second_officer, review=review, reason="The child's sibling is still open to us."
    )

    assert (back.status, back.decided_by, back.decision_reason) == ("pending", None, "")
    assert AuditEvent.objects.get(action="retention_sent_back").reason == (
        "The child's sibling is still open to us."
    )


# -- retain, and hold -------------------------------------------------------------------------


def test_a_record_can_be_kept_until_a_later_date(review: RetentionReview, officer: User) -> None:
    until = timezone.localdate() + datetime.timedelta(days=365)

    kept = services.review_decide(
        actor=officer, review=review, decision=Decision.RETAIN, reason=REASON, retain_until=until
    )

    assert (kept.status, kept.retain_until, kept.closed_note) == (
        "retained",
        until,
        f"Kept until {until.day} {until:%B %Y}.",
    )
    assert services.review_list_build().added == 0
    event = AuditEvent.objects.get(action="retention_retain")
    assert event.changes["retain_until"] == [None, until.isoformat()]


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (None, "Enter the date to keep the record until."),
        (D(2020, 1, 1), "The date to keep the record until must be in the future."),
        (
            D(2125, 5, 6),
            "The record cannot be kept past 5 May 2125: no record is kept more than 150 "
            "years after the date of birth.",
        ),
    ],
)
def test_a_wrong_date_to_keep_until_is_refused(
    review: RetentionReview, officer: User, until: datetime.date | None, message: str
) -> None:
    errors = _refused(
        lambda: services.review_decide(
            actor=officer,
            review=review,
            decision=Decision.RETAIN,
            reason=REASON,
            retain_until=until,
        )
    )

    assert errors == {"retain_until": [message]}
    review.refresh_from_db()
    assert review.status == "pending"
    assert _changes() == []


def test_deciding_on_a_hold_places_one_and_closes_the_entry(
    review: RetentionReview, due: Person, officer: User
) -> None:
    held = services.review_decide(
        actor=officer,
        review=review,
        decision=Decision.HOLD,
        reason="A claim for historic abuse names the children's home.",
        reference="QB-2026-000123",
    )

    hold = LegalHold.objects.get(person=due)
    assert (held.status, held.legal_hold, hold.reference, hold.placed_by) == (
        "held",
        hold,
        "QB-2026-000123",
        officer,
    )
    assert ("legal_hold_place", due.pk) in _changes()


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"decision": "shred"}, {"decision": ["Choose what should happen to the record."]}),
        ({"reason": ""}, {"reason": ["Enter the reason."]}),
        ({"reason": "short"}, {"reason": ["Reason must be at least 10 characters."]}),
        (
            {"reason": "x" * 1001},
            {"reason": ["Reason must be 1000 characters or fewer (you entered 1001)."]},
        ),
        (
            {"reason": "Checked\x00 with the manager"},
            {"reason": ["Reason contains a control character that cannot be stored."]},
        ),
        (
            {"decision": Decision.HOLD, "reference": ""},
            {
                "reference": [
                    "Enter the reference of the court case, inquiry or claim, for example IICSA."
                ]
            },
        ),
        (
            {"decision": Decision.HOLD, "reference": "r" * 101},
            {"reference": ["Reference must be 100 characters or fewer (you entered 101)."]},
        ),
        (
            {"decision": Decision.HOLD, "reference": "IICSA\nsecond line"},
            {"reference": ["Reference must be on one line."]},
        ),
    ],
)
def test_bad_decisions_are_refused_on_their_field_and_change_nothing(
    review: RetentionReview, officer: User, values: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    arguments: dict[str, Any] = {"decision": Decision.DESTROY, "reason": REASON, **values}

    assert _refused(lambda: services.review_decide(actor=officer, review=review, **arguments)) == (
        errors
    )
    review.refresh_from_db()
    assert (review.status, LegalHold.objects.count(), _changes()) == ("pending", 0, [])


def test_an_entry_already_decided_cannot_be_decided_again(
    review: RetentionReview, officer: User, second_officer: User
) -> None:
    services.review_decide(
        actor=officer,
        review=review,
        decision=Decision.RETAIN,
        reason=REASON,
        retain_until=timezone.localdate() + datetime.timedelta(days=10),
    )

    errors = _refused(
        lambda: services.review_decide(
            actor=second_officer, review=review, decision=Decision.DESTROY, reason=REASON
        )
    )

    assert errors == {"__all__": ["This record has already been dealt with: Retained."]}


# -- legal holds ------------------------------------------------------------------------------


def test_a_hold_is_released_with_a_reason_and_the_record_comes_back_to_review(
    due: Person, officer: User, second_officer: User
) -> None:
    hold = services.legal_hold_place(
        actor=officer, person=due, reason="Claim issued in the county court.", reference="CL-4"
    )
    assert services.review_list_build().added == 0

    released = services.legal_hold_release(
        actor=second_officer, hold=hold, reason="The claim was struck out in March."
    )

    assert (released.released_by, released.release_reason) == (
        second_officer,
        "The claim was struck out in March.",
    )
    assert services.review_list_build().added == 1
    assert [action for action, _ in _changes()] == ["legal_hold_place", "legal_hold_release"]


def test_a_released_hold_cannot_be_released_again(due: Person, officer: User) -> None:
    hold = services.legal_hold_place(
        actor=officer, person=due, reason="Claim issued in the county court.", reference="CL-5"
    )
    services.legal_hold_release(actor=officer, hold=hold, reason="The claim was withdrawn.")

    errors = _refused(
        lambda: services.legal_hold_release(
            actor=officer, hold=hold, reason="The claim was withdrawn."
        )
    )

    assert errors == {"reason": ["This hold has already been released."]}
