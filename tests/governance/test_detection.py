"""The unusual access check: both rules, their edges, and running a window again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgmt.models import AuditEvent, Team, User
from governance.models import AccessFlag, UnusualAccessRun
from governance.services import unusual_access_detect
from tests.factories import (
    AddressFactory,
    InvolvementFactory,
    PersonFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.governance.factories import (
    WINDOW_DAY,
    WINDOW_END,
    WINDOW_START,
    StaffHomeAddressFactory,
    opened,
)

pytestmark = pytest.mark.django_db

MANY = AccessFlag.Rule.MANY_UNINVOLVED
SURNAME = AccessFlag.Rule.SURNAME_AND_POSTCODE


@pytest.fixture
def team() -> Team:
    return TeamFactory(name="Assessment team south", code="assessment-south")


@pytest.fixture
def worker(team: Team) -> User:
    user = UserFactory(username="wendy.worker", last_name="Price")
    TeamMembershipFactory(user=user, team=team, start_date=datetime.date(2024, 1, 1))
    return user


def _people(count: int) -> list[int]:
    return [PersonFactory(last_name=f"Stranger{index}").pk for index in range(count)]


def _detect() -> list[AccessFlag]:
    return unusual_access_detect(window_start=WINDOW_START, window_end=WINDOW_END)


# ---------------------------------------------------------------------------------------
# Rule A: many people with no involvement in one hour
# ---------------------------------------------------------------------------------------


def test_nineteen_uninvolved_people_is_below_the_default_threshold(worker: User) -> None:
    # Given a worker who opened 19 people they have nothing to do with
    opened(worker, _people(19))

    # When the hour is checked
    flags = _detect()

    # Then nothing is flagged (the default threshold is 20)
    assert flags == []
    assert AccessFlag.objects.count() == 0


def test_twenty_uninvolved_people_reaches_the_default_threshold(worker: User) -> None:
    # Given a worker who opened 20 people they have nothing to do with
    people = _people(20)
    opened(worker, people)

    # When the hour is checked
    flags = _detect()

    # Then one flag names all 20, for that worker and that hour
    assert len(flags) == 1
    flag = AccessFlag.objects.get()
    assert flag.user == worker
    assert flag.rule == MANY
    assert flag.window_start == WINDOW_START
    assert flag.window_end == WINDOW_END
    assert flag.person_ids == sorted(people)
    assert flag.count == 20
    assert flag.status == AccessFlag.Status.OPEN
    assert flag.reviewer is None
    assert flag.outcome == ""


def test_the_threshold_comes_from_the_setting(worker: User, settings: Any) -> None:
    settings.UNUSUAL_ACCESS_THRESHOLD = 3
    opened(worker, _people(2))
    assert _detect() == []

    opened(worker, _people(1))
    assert [flag.count for flag in _detect()] == [3]


@pytest.mark.parametrize("value", [0, -1, "20", True])
def test_a_nonsense_threshold_is_refused(settings: Any, value: object) -> None:
    settings.UNUSUAL_ACCESS_THRESHOLD = value
    with pytest.raises(ValueError, match="UNUSUAL_ACCESS_THRESHOLD"):
        _detect()
    assert UnusualAccessRun.objects.count() == 0


def test_opening_one_person_many_times_counts_once(worker: User) -> None:
    person_id = _people(1)[0]
    opened(worker, [person_id] * 25)
    opened(worker, _people(18))

    assert _detect() == []


def test_only_access_inside_the_window_counts(worker: User) -> None:
    # Given 18 people opened inside the hour, one at its first instant, one at its end
    opened(worker, _people(18))
    first, at_end, before = _people(3)
    opened(worker, [first], at=WINDOW_START)
    opened(worker, [at_end], at=WINDOW_END)
    opened(worker, [before], at=WINDOW_START - datetime.timedelta(microseconds=1))

    # Then the window holds 19 (its start is in it, its end is not): no flag
    assert _detect() == []


def test_the_start_of_the_window_is_inside_it(worker: User) -> None:
    opened(worker, _people(19))
    opened(worker, _people(1), at=WINDOW_START)

    assert [flag.count for flag in _detect()] == [20]


def test_changes_searches_and_other_users_pages_do_not_count(worker: User) -> None:
    # Given 19 people opened, and other events that are not openings of a person
    opened(worker, _people(19))
    opened(worker, _people(1), kind=AuditEvent.Kind.CHANGE)
    AuditEvent.objects.create(
        occurred_at=WINDOW_START + datetime.timedelta(minutes=1),
        kind=AuditEvent.Kind.ACCESS,
        action="search",
        actor=worker,
        actor_username=worker.username,
        person_id=None,
        object_type="search",
    )
    # and a system event with no actor
    AuditEvent.objects.create(
        occurred_at=WINDOW_START + datetime.timedelta(minutes=2),
        kind=AuditEvent.Kind.ACCESS,
        action="export",
        actor=None,
        person_id=_people(1)[0],
    )

    assert _detect() == []


def test_the_users_own_involvement_counts_as_legitimate(worker: User) -> None:
    people = _people(20)
    InvolvementFactory(person_id=people[0], worker=worker, team=TeamFactory())
    opened(worker, people)

    assert _detect() == []


def test_an_involvement_of_the_users_team_counts_as_legitimate(worker: User, team: Team) -> None:
    # Given one of the 20 is allocated to a colleague in the worker's team
    people = _people(20)
    InvolvementFactory(person_id=people[0], worker=UserFactory(), team=team)
    opened(worker, people)

    # Then only 19 have no involvement: no flag
    assert _detect() == []


def test_a_past_involvement_counts_as_legitimate(worker: User, team: Team) -> None:
    people = _people(20)
    InvolvementFactory(
        person_id=people[0],
        worker=worker,
        team=team,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2020, 6, 30),
    )
    InvolvementFactory(
        person_id=people[1],
        worker=None,
        team=team,
        start_date=datetime.date(2021, 1, 1),
        end_date=datetime.date(2021, 2, 1),
    )
    opened(worker, people)

    assert _detect() == []


def test_an_involvement_that_starts_after_the_day_does_not_count(worker: User) -> None:
    people = _people(20)
    InvolvementFactory(
        person_id=people[0], worker=worker, start_date=WINDOW_DAY + datetime.timedelta(days=1)
    )
    opened(worker, people)

    assert [flag.person_ids for flag in _detect()] == [sorted(people)]


def test_an_involvement_that_starts_on_the_day_counts(worker: User) -> None:
    people = _people(20)
    InvolvementFactory(person_id=people[0], worker=worker, start_date=WINDOW_DAY)
    opened(worker, people)

    assert _detect() == []


def test_a_team_the_user_had_left_or_not_yet_joined_does_not_count(worker: User) -> None:
    # Given two teams involved with two of the people, one the worker left before the day
    # and one they joined after it
    people = _people(20)
    left, joined_later = TeamFactory(), TeamFactory()
    TeamMembershipFactory(
        user=worker,
        team=left,
        start_date=datetime.date(2023, 1, 1),
        end_date=WINDOW_DAY - datetime.timedelta(days=1),
    )
    TeamMembershipFactory(
        user=worker, team=joined_later, start_date=WINDOW_DAY + datetime.timedelta(days=1)
    )
    InvolvementFactory(person_id=people[0], worker=None, team=left)
    InvolvementFactory(person_id=people[1], worker=None, team=joined_later)
    opened(worker, people)

    # Then neither involvement makes those openings legitimate
    assert [flag.count for flag in _detect()] == [20]


def test_a_team_membership_ending_on_the_day_still_counts(worker: User) -> None:
    people = _people(20)
    old_team = TeamFactory()
    TeamMembershipFactory(
        user=worker, team=old_team, start_date=datetime.date(2023, 1, 1), end_date=WINDOW_DAY
    )
    InvolvementFactory(person_id=people[0], worker=None, team=old_team)
    opened(worker, people)

    assert _detect() == []


def test_the_day_of_an_access_is_the_local_day(worker: User) -> None:
    # Given an hour from 00:00 to 01:00 London time on 3 June (23:00 to 00:00 UTC on 2 June),
    # and an involvement starting on 3 June
    start = datetime.datetime(2025, 6, 2, 23, 0, tzinfo=datetime.UTC)
    people = _people(20)
    InvolvementFactory(person_id=people[0], worker=worker, start_date=datetime.date(2025, 6, 3))
    opened(worker, people, at=start + datetime.timedelta(minutes=5))

    # Then the involvement counts: it had started on the (London) day of the access
    flags = unusual_access_detect(
        window_start=start, window_end=start + datetime.timedelta(hours=1)
    )
    assert flags == []


def test_each_user_is_judged_on_their_own_access(worker: User) -> None:
    quiet = UserFactory(username="quentin.quiet")
    opened(worker, _people(20))
    opened(quiet, _people(19))

    assert [(flag.user_id, flag.count) for flag in _detect()] == [(worker.pk, 20)]


# ---------------------------------------------------------------------------------------
# Rule B: same surname, living at the member of staff's home postcode
# ---------------------------------------------------------------------------------------


def _relative(last_name: str, postcode: str = "SW1A 1AA", **address: object) -> int:
    person = PersonFactory(first_name="Rosa", last_name=last_name)
    AddressFactory(person=person, postcode=postcode, **address)
    return int(person.pk)


@pytest.mark.parametrize(
    ("staff_surname", "person_surname"),
    [
        ("Núñez", "NUNEZ"),
        ("nunez", "Núñez"),
        ("O'Brien", "OBrien"),
        ("Zoë-Smith", "zoesmith"),
    ],
)
def test_same_surname_and_postcode_is_flagged_whatever_the_case_and_accents(
    staff_surname: str, person_surname: str
) -> None:
    # Given a member of staff whose home postcode is on record
    staff = UserFactory(username="nora.staff", last_name=staff_surname)
    StaffHomeAddressFactory(user=staff, postcode="SW1A 1AA")
    # who opened the record of someone with their surname living at that postcode
    relative = _relative(person_surname)
    opened(staff, [relative, relative])

    # Then one flag names that person once
    flags = _detect()
    assert [(flag.user_id, flag.rule, flag.person_ids, flag.count) for flag in flags] == [
        (staff.pk, SURNAME, [relative], 1)
    ]


def test_the_postcode_is_compared_without_its_space() -> None:
    staff = UserFactory(last_name="Hughes")
    StaffHomeAddressFactory(user=staff, postcode="SW1A 1AA")
    relative = _relative("Hughes", postcode="sw1a1aa")
    opened(staff, [relative])

    assert [flag.person_ids for flag in _detect()] == [[relative]]


def test_same_surname_at_another_postcode_is_not_flagged() -> None:
    staff = UserFactory(last_name="Hughes")
    StaffHomeAddressFactory(user=staff, postcode="SW1A 1AA")
    opened(staff, [_relative("Hughes", postcode="SW1A 2AA")])

    assert _detect() == []


def test_another_surname_at_the_same_postcode_is_not_flagged() -> None:
    staff = UserFactory(last_name="Hughes")
    StaffHomeAddressFactory(user=staff, postcode="SW1A 1AA")
    opened(staff, [_relative("Hughson")])

    assert _detect() == []


def test_no_home_postcode_means_the_rule_cannot_fire() -> None:
    # Given two members of staff: one with no home address row, one with an empty postcode
    no_row = UserFactory(last_name="Hughes")
    empty = UserFactory(last_name="Hughes")
    StaffHomeAddressFactory(user=empty, postcode="")
    relative = _relative("Hughes")
    opened(no_row, [relative])
    opened(empty, [relative])

    assert _detect() == []


def test_an_address_that_was_not_current_on_the_day_does_not_count() -> None:
    staff = UserFactory(last_name="Hughes")
    StaffHomeAddressFactory(user=staff, postcode="SW1A 1AA")
    moved_out = _relative(
        "Hughes", start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2025, 6, 1)
    )
    moving_in = _relative("Hughes", start_date=datetime.date(2025, 6, 3))
    opened(staff, [moved_out, moving_in])

    assert _detect() == []


def test_an_address_ending_on_the_day_still_counts() -> None:
    staff = UserFactory(last_name="Hughes")
    StaffHomeAddressFactory(user=staff, postcode="SW1A 1AA")
    leaving = _relative("Hughes", start_date=datetime.date(2020, 1, 1), end_date=WINDOW_DAY)
    opened(staff, [leaving])

    assert [flag.person_ids for flag in _detect()] == [[leaving]]


def test_a_member_of_staff_with_no_surname_is_not_matched() -> None:
    staff = UserFactory(last_name="")
    StaffHomeAddressFactory(user=staff, postcode="SW1A 1AA")
    opened(staff, [_relative("")])

    assert _detect() == []


def test_both_rules_can_flag_the_same_user_in_one_hour(worker: User, settings: Any) -> None:
    settings.UNUSUAL_ACCESS_THRESHOLD = 3
    StaffHomeAddressFactory(user=worker, postcode="SW1A 1AA")
    relative = _relative("Price")
    strangers = _people(2)
    opened(worker, [relative, *strangers])

    flags = _detect()

    assert [(flag.rule, flag.person_ids) for flag in flags] == [
        (MANY, sorted([relative, *strangers])),
        (SURNAME, [relative]),
    ]


# ---------------------------------------------------------------------------------------
# One window, checked again
# ---------------------------------------------------------------------------------------


def test_checking_a_window_again_creates_nothing_new(worker: User) -> None:
    # Given an hour that has been checked once and flagged
    StaffHomeAddressFactory(user=worker, postcode="SW1A 1AA")
    opened(worker, [*_people(20), _relative("Price")])
    first = _detect()
    assert len(first) == 2
    events_after_first = AuditEvent.objects.filter(action="flag").count()

    # When it is checked again
    second = _detect()

    # Then nothing new is created, and nothing is written to the audit trail
    assert second == []
    assert AccessFlag.objects.count() == 2
    assert AuditEvent.objects.filter(action="flag").count() == events_after_first == 2
    run = UnusualAccessRun.objects.get()
    assert (run.window_start, run.window_end, run.flags_created) == (WINDOW_START, WINDOW_END, 2)
    assert run.finished_at is not None


def test_checking_again_adds_only_what_is_new(worker: User) -> None:
    opened(worker, _people(20))
    _detect()
    late = UserFactory(username="larry.late")
    opened(late, _people(20))

    flags = _detect()

    assert [flag.user_id for flag in flags] == [late.pk]
    assert AccessFlag.objects.count() == 2


def test_a_flag_is_recorded_in_the_audit_trail(worker: User) -> None:
    people = _people(20)
    opened(worker, people)

    flag = _detect()[0]

    event = AuditEvent.objects.get(action="flag")
    assert event.kind == AuditEvent.Kind.CHANGE
    assert event.actor is None
    assert event.person_id is None
    assert event.object_type == "governance.accessflag"
    assert event.object_id == str(flag.pk)
    assert event.changes["user"] == [None, worker.pk]
    assert event.changes["person_ids"] == [None, sorted(people)]
    assert event.summary == "Flagged unusual access: opened many records with no involvement"


def test_another_window_is_checked_on_its_own(worker: User) -> None:
    opened(worker, _people(20))
    _detect()
    later = WINDOW_END + datetime.timedelta(hours=1)

    assert unusual_access_detect(window_start=WINDOW_END, window_end=later) == []
    assert UnusualAccessRun.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (WINDOW_START.replace(tzinfo=None), WINDOW_END, "timezone-aware"),
        (WINDOW_START, WINDOW_END.replace(tzinfo=None), "timezone-aware"),
        (WINDOW_END, WINDOW_START, "end after it starts"),
        (WINDOW_START, WINDOW_START, "end after it starts"),
    ],
)
def test_a_nonsense_window_is_refused(
    start: datetime.datetime, end: datetime.datetime, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        unusual_access_detect(window_start=start, window_end=end)
    assert UnusualAccessRun.objects.count() == 0


def test_the_check_reads_the_audit_trail_in_a_fixed_number_of_queries(
    worker: User, team: Team
) -> None:
    # Given a busy hour: many users, people, involvements and a home postcode
    StaffHomeAddressFactory(user=worker, postcode="SW1A 1AA")
    for index in range(5):
        colleague = UserFactory(username=f"colleague{index}", last_name="Price")
        StaffHomeAddressFactory(user=colleague, postcode="SW1A 1AA")
        opened(colleague, [*_people(20), _relative("Price")])

    # When the hour is checked
    with CaptureQueriesContext(connection) as queries:
        flags = _detect()

    # Then the number of queries does not grow with the users or people (savepoints and
    # the audit rows, one per flag, aside): one read of the trail per rule
    assert len(flags) == 10
    reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and "casemgmt_auditevent" in query["sql"]
    ]
    assert len(reads) == 3
