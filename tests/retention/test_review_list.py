"""The nightly review list: who joins it, idempotent, set-based (its queries do not grow with
the number of people), and entries that are no longer due lapse."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import Person
from retention import services, tasks
from retention.models import Category, LegalHold, RetentionReview, RetentionRule
from tests.retention.records import TODAY, aware, involvement, looked_after, note, person

pytestmark = pytest.mark.django_db

D = datetime.date


def _statuses() -> dict[int, str]:
    return dict(RetentionReview.objects.values_list("person_id", "status"))


def test_records_past_their_date_join_the_list_with_their_rule_and_date(
    rules: dict[str, RetentionRule],
) -> None:
    # Given a relative last seen in 2012 (due 2018), a child due in 2037, an unknown date
    # of birth, and a looked-after adult still far from their 75th birthday
    due = person(date_of_birth=D(1975, 5, 5))
    note(due, on=D(2012, 2, 2))
    young = person(date_of_birth=D(2012, 7, 1))
    unknown = person(date_of_birth=None)
    care_leaver = person(date_of_birth=D(1990, 1, 1))
    looked_after(care_leaver, start=D(2000, 1, 1), end=D(2008, 1, 1))

    # When the list is built
    run = services.review_list_build(today=TODAY)

    # Then the due and the unknown are on it, with why
    assert (run.people_checked, run.added, run.lapsed) == (4, 2, 0)
    reviews = {review.person_id: review for review in RetentionReview.objects.all()}
    assert set(reviews) == {due.pk, unknown.pk}
    assert (reviews[due.pk].rule, reviews[due.pk].retention_date) == (
        rules[Category.OTHER],
        D(2018, 2, 2),
    )
    assert (reviews[unknown.pk].retention_date, reviews[unknown.pk].undetermined_reason) == (
        None,
        "no_date_of_birth",
    )
    assert {review.status for review in reviews.values()} == {"pending"}
    # and the run is audited, naming nobody
    event = AuditEvent.objects.get(action="retention_review_list")
    assert (event.person_id, event.changes["added"]) == (None, [None, 2])
    assert young.pk not in reviews
    assert care_leaver.pk not in reviews


def test_building_again_adds_nothing_new() -> None:
    person(date_of_birth=None)
    services.review_list_build(today=TODAY)

    again = services.review_list_build(today=TODAY)

    assert again.added == 0
    assert RetentionReview.objects.count() == 1


def test_a_record_under_a_legal_hold_is_not_added(officer: User) -> None:
    held = person(date_of_birth=None)
    LegalHold.objects.create(person=held, reason="Litigation.", reference="CL-9", placed_by=officer)
    released = person(date_of_birth=None)
    LegalHold.objects.create(
        person=released,
        reason="Litigation.",
        reference="CL-8",
        placed_by=officer,
        placed_at=timezone.now() - datetime.timedelta(days=2),
        released_by=officer,
        released_at=timezone.now(),
        release_reason="Settled.",
    )

    services.review_list_build(today=TODAY)

    assert set(_statuses()) == {released.pk}


def test_a_record_retained_until_a_later_date_comes_back_after_it(officer: User) -> None:
    kept = person(date_of_birth=None)
    RetentionReview.objects.create(
        person=kept,
        status=RetentionReview.Status.RETAINED,
        retain_until=D(2026, 12, 31),
        decided_by=officer,
        decided_at=timezone.now(),
    )

    assert services.review_list_build(today=TODAY).added == 0
    assert services.review_list_build(today=D(2026, 12, 31)).added == 0
    assert services.review_list_build(today=D(2027, 1, 1)).added == 1
    assert RetentionReview.objects.filter(person=kept, status="pending").count() == 1


def test_a_merged_record_is_not_reviewed_on_its_own() -> None:
    kept = person(date_of_birth=D(2015, 1, 1))
    duplicate = person(date_of_birth=None)
    Person.objects.filter(pk=duplicate.pk).update(merged_into=kept)

    assert services.review_list_build(today=TODAY).people_checked == 1
    assert RetentionReview.objects.count() == 0


def test_an_entry_whose_record_is_in_use_again_lapses_with_the_reason(officer: User) -> None:
    # Given two records on the list
    back_in_touch = person(date_of_birth=D(1975, 5, 5))
    note(back_in_touch, on=D(2012, 2, 2))
    reopened = person(date_of_birth=D(1975, 5, 5))
    note(reopened, on=D(2012, 2, 2))
    services.review_list_build(today=TODAY)
    # When one has a new contact and the other a new open involvement
    note(back_in_touch, on=D(2026, 6, 1))
    involvement(reopened, start=D(2026, 6, 1), end=None)

    run = services.review_list_build(today=TODAY)

    # Then both lapse, saying why
    assert run.lapsed == 2
    notes = dict(RetentionReview.objects.values_list("person_id", "closed_note"))
    assert notes == {
        back_in_touch.pk: "No longer due: the retention period now ends on 1 June 2032.",
        reopened.pk: "No longer due: work with the person is ongoing.",
    }
    assert set(_statuses().values()) == {"lapsed"}


def test_the_celery_task_builds_the_list() -> None:
    person(date_of_birth=None)

    assert tasks.build_review_list() == 1


# -- at scale ----------------------------------------------------------------------------------


def _people(number: int) -> None:
    """A third each: due (last seen long ago), not due (children), date of birth unknown."""
    created = aware(D(2010, 1, 4))
    births = [D(1970, 1, 1), D(2015, 1, 1), None]
    Person.objects.bulk_create(
        [
            Person(
                first_name=f"Person{index}",
                last_name="Scale",
                date_of_birth=births[index % 3],
                created_at=created,
            )
            for index in range(number)
        ],
        batch_size=1000,
    )


def _queries(today: datetime.date, batch_size: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.review_list_build(today=today, batch_size=batch_size)
    return len(queries.captured_queries)


def test_thousands_of_people_in_one_statement_each_batch_and_the_same_queries_as_for_a_few() -> (
    None
):
    _people(30)
    few = _queries(TODAY, 50_000)
    RetentionReview.objects.all().delete()
    _people(2970)

    many = _queries(TODAY, 50_000)

    assert many == few
    assert RetentionReview.objects.count() == 2000
    assert RetentionReview.objects.filter(retention_date__isnull=True).count() == 1000


def test_batches_of_ids_give_the_same_list_as_one() -> None:
    _people(900)
    lowest = Person.objects.order_by("pk").values_list("pk", flat=True).first()
    assert lowest is not None

    run = services.review_list_build(today=TODAY, batch_size=97)

    assert (run.people_checked, run.added) == (900, 600)
    assert RetentionReview.objects.filter(retention_date=D(2016, 1, 4)).count() == 300
