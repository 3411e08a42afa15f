"""Children's statutory facts: the rows each writer writes, their links, retries and refusals."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import factory
import pytest

from casemgmt.models import AuditEvent, Team, User
from clients.models import Person
from tests.workflows.builders import form_with
from workflows import facts
from workflows.facts import check_mappings, children, write_facts
from workflows.models import (
    AdoptionDecision,
    AdoptionMatch,
    Assessment,
    CareLeaverContact,
    CarePeriod,
    ChildProtectionConference,
    CINPlan,
    Contact,
    CPPlan,
    Episode,
    Form,
    FormVersion,
    HealthCheck,
    LegalStatus,
    LookedAfterReview,
    MissingEpisode,
    Placement,
    Referral,
    S47Enquiry,
    SDQScore,
    Step,
    StepType,
    StrategyDiscussion,
    Workflow,
)
from workflows.services import NextAction, StepError, step_complete, step_start

pytestmark = pytest.mark.django_db

D = datetime.date
_codes = itertools.count(1)


# -- small factories --------------------------------------------------------------------------


class WorkflowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workflow
        django_get_or_create = ("code",)

    code = "facts"
    name = "Facts"
    service = "children"


class FormVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormVersion

    form = factory.LazyFunction(
        lambda: Form.objects.create(code=f"facts-form-{next(_codes)}", name="Facts form")
    )
    number = 1
    status = FormVersion.Status.PUBLISHED
    schema = factory.LazyAttribute(lambda version: {"form": version.form.code, "sections": []})


class StepTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepType

    workflow = factory.SubFactory(WorkflowFactory)
    code = factory.LazyFunction(lambda: f"facts-step-{next(_codes)}")
    name = "Recording"
    form = factory.LazyFunction(lambda: FormVersionFactory().form)
    fact_mappings: list[dict[str, Any]] = []


def make_step(
    person: Person,
    team: Team,
    *,
    answers: dict[str, Any] | None = None,
    mappings: list[dict[str, Any]] | None = None,
) -> Step:
    """A completed step on `person` whose type declares `mappings`."""
    step_type = StepTypeFactory(fact_mappings=mappings or [])
    episode = Episode.objects.create(
        workflow=step_type.workflow, person=person, opened_on=D(2026, 12, 1)
    )
    return Step.objects.create(
        episode=episode,
        step_type=step_type,
        form_version=step_type.form.versions.get(),
        person=person,
        team=team,
        status=Step.Status.COMPLETED,
        answers=answers or {},
        started_on=D(2026, 12, 1),
        event_date=D(2026, 12, 1),
    )


@pytest.fixture
def child(person: Person) -> Person:
    return person


@pytest.fixture
def new_step(child: Person, team_a: Team) -> Any:
    def make(**kwargs: Any) -> Step:
        return make_step(child, team_a, **kwargs)

    return make


def _open_referral(new_step: Any, child: Person, worker: User, day: str = "2026-12-01") -> Referral:
    return children.referral_open(
        step=new_step(),
        person=child,
        values={"referral_date": day, "source": "2A", "primary_need": "N1"},
        actor=worker,
    )


# -- contacts and referrals -----------------------------------------------------------------


def test_a_referral_links_the_contact_before_it_and_a_retry_writes_nothing(
    new_step: Any, child: Person, worker: User
) -> None:
    contact = children.contact_record(
        step=new_step(),
        person=child,
        values={"contact_date": "2026-11-30", "source": "2A", "reason": "Bruise seen at school"},
        actor=worker,
    )
    step = new_step()
    values = {"referral_date": "2026-12-01", "source": "2A", "primary_need": "N1"}

    referral = children.referral_open(step=step, person=child, values=values, actor=worker)
    again = children.referral_open(step=step, person=child, values=values, actor=worker)

    assert again.pk == referral.pk
    assert Referral.objects.filter(person=child).count() == 1
    referral.refresh_from_db()
    assert (referral.referral_date, referral.source, referral.primary_need) == (
        D(2026, 12, 1),
        "2A",
        "N1",
    )
    assert referral.contact_id == contact.pk
    assert referral.step_id == step.pk
    assert referral.closure_date is None
    assert referral.no_further_action is False
    event = AuditEvent.objects.get(action="referral_opened", person_id=child.pk)
    assert event.changes["referral_date"] == [None, "2026-12-01"]
    assert event.changes["source"] == [None, "2A"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"referral_date": "2026-12-01", "source": "ZZ"}, "'ZZ' is not a valid source code"),
        ({"referral_date": "2026-02-30", "source": "2A"}, "is not a real date"),
        ({"referral_date": "1066-10-14", "source": "2A"}, "is not a plausible date"),
        ({"referral_date": "2026-12-01"}, "the source is missing"),
        (
            {"referral_date": "2026-12-01", "source": "2A", "primary_need": "N10"},
            "'N10' is not a valid primary need code",
        ),
    ],
)
def test_a_referral_with_a_bad_value_is_refused_in_words(
    new_step: Any, child: Person, worker: User, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(StepError, match=message) as error:
        children.referral_open(step=new_step(), person=child, values=values, actor=worker)
    assert str(error.value).startswith("Referral: ")
    assert not Referral.objects.exists()


def test_only_one_referral_is_open_at_a_time(new_step: Any, child: Person, worker: User) -> None:
    _open_referral(new_step, child, worker)
    with pytest.raises(StepError, match="already has an open referral from 01/12/2026"):
        _open_referral(new_step, child, worker, "2026-12-05")


def test_closing_needs_an_open_referral_and_open_plans_ended_first(
    new_step: Any, child: Person, worker: User
) -> None:
    close = {"closure_date": "2027-01-10", "reason": "RC8", "no_further_action": True}
    with pytest.raises(StepError, match="Jayden Whitmore has no open referral"):
        children.referral_close(step=new_step(), person=child, values=close, actor=worker)

    referral = _open_referral(new_step, child, worker)
    children.cin_plan_start(
        step=new_step(), person=child, values={"start_date": "2026-12-20"}, actor=worker
    )
    with pytest.raises(StepError, match="child in need plan from 20/12/2026 is still open"):
        children.referral_close(step=new_step(), person=child, values=close, actor=worker)

    children.cin_plan_end(
        step=new_step(), person=child, values={"end_date": "2027-01-10"}, actor=worker
    )
    step = new_step()
    closed = children.referral_close(step=step, person=child, values=close, actor=worker)
    retried = children.referral_close(step=step, person=child, values=close, actor=worker)

    assert closed.pk == retried.pk == referral.pk
    closed.refresh_from_db()
    assert (closed.closure_date, closed.closure_reason, closed.no_further_action) == (
        D(2027, 1, 10),
        "RC8",
        True,
    )
    assert closed.ended_by_step_id == step.pk
    assert AuditEvent.objects.filter(action="referral_closed").count() == 1
    assert CINPlan.objects.get().end_date == D(2027, 1, 10)


def test_a_closure_before_the_referral_is_refused(
    new_step: Any, child: Person, worker: User
) -> None:
    _open_referral(new_step, child, worker)
    with pytest.raises(StepError, match=r"closure date \(30/11/2026\) is before the referral"):
        children.referral_close(
            step=new_step(),
            person=child,
            values={"closure_date": "2026-11-30", "reason": "RC7"},
            actor=worker,
        )


def test_the_primary_need_can_be_set_later(new_step: Any, child: Person, worker: User) -> None:
    referral = children.referral_open(
        step=new_step(),
        person=child,
        values={"referral_date": "2026-12-01", "source": "6"},
        actor=worker,
    )
    children.referral_set_need(
        step=new_step(), person=child, values={"primary_need": "N4"}, actor=worker
    )
    referral.refresh_from_db()
    assert referral.primary_need == "N4"


# -- assessment, strategy discussion, S47, conferences, plans ---------------------------------


def test_an_assessment_belongs_to_the_open_referral(
    new_step: Any, child: Person, worker: User
) -> None:
    values = {
        "start_date": "2026-12-02",
        "authorisation_date": "2027-01-20",
        "factors": ["3B", "4B", "3B"],
    }
    with pytest.raises(StepError, match=r"has no open referral\. Record the referral before"):
        children.assessment_record(step=new_step(), person=child, values=values, actor=worker)

    referral = _open_referral(new_step, child, worker)
    assessment = children.assessment_record(
        step=new_step(), person=child, values=values, actor=worker
    )

    assessment.refresh_from_db()
    assert assessment.referral_id == referral.pk
    assert (assessment.start_date, assessment.authorisation_date) == (
        D(2026, 12, 2),
        D(2027, 1, 20),
    )
    assert assessment.factors == ["3B", "4B"]
    assert assessment.internal_review_date is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"start_date": "2026-12-02", "factors": ["21", "1A"]}, "cannot be given together"),
        ({"start_date": "2026-12-02", "factors": ["99Z"]}, "'99Z' is not a valid factors code"),
        (
            {"start_date": "2026-12-02", "authorisation_date": "2026-12-01"},
            "authorisation date .* is before the start date",
        ),
        ({"start_date": "2026-11-20"}, "start date .* is before the referral date"),
    ],
)
def test_assessment_values_are_checked(
    new_step: Any, child: Person, worker: User, values: dict[str, Any], message: str
) -> None:
    _open_referral(new_step, child, worker)
    with pytest.raises(StepError, match=message):
        children.assessment_record(step=new_step(), person=child, values=values, actor=worker)
    assert not Assessment.objects.exists()


def test_an_s47_links_its_strategy_discussion_and_the_icpc_is_due_15_working_days_later(
    new_step: Any, child: Person, worker: User
) -> None:
    referral = _open_referral(new_step, child, worker)
    with pytest.raises(StepError, match="no strategy discussion on or before 15/12/2026"):
        children.s47_record(
            step=new_step(), person=child, values={"start_date": "2026-12-15"}, actor=worker
        )
    discussion = children.strategy_discussion_record(
        step=new_step(),
        person=child,
        values={"discussion_date": "2026-12-14", "s47_required": True},
        actor=worker,
    )

    enquiry = children.s47_record(
        step=new_step(),
        person=child,
        values={"start_date": "2026-12-15", "end_date": "2027-01-05", "outcome": "icpc"},
        actor=worker,
    )

    enquiry.refresh_from_db()
    assert enquiry.referral_id == referral.pk
    assert enquiry.strategy_discussion_id == discussion.pk
    assert discussion.referral_id == referral.pk
    # Christmas Day, Boxing Day (observed Monday 28th) and New Year's Day are not working days.
    assert enquiry.icpc_target_date == D(2027, 1, 7)
    assert (enquiry.outcome, enquiry.icpc_not_required) == ("icpc", False)


def test_an_s47_concluding_without_a_conference_marks_it_not_required(
    new_step: Any, child: Person, worker: User
) -> None:
    _open_referral(new_step, child, worker)
    children.strategy_discussion_record(
        step=new_step(),
        person=child,
        values={"discussion_date": "2026-12-02", "s47_required": "yes"},
        actor=worker,
    )
    enquiry = children.s47_record(
        step=new_step(),
        person=child,
        values={"start_date": "2026-12-02", "outcome": "cin"},
        actor=worker,
    )
    assert enquiry.icpc_not_required is True
    assert StrategyDiscussion.objects.get().s47_required is True


def _to_initial_conference(new_step: Any, child: Person, worker: User) -> S47Enquiry:
    _open_referral(new_step, child, worker)
    children.strategy_discussion_record(
        step=new_step(),
        person=child,
        values={"discussion_date": "2026-12-02", "s47_required": True},
        actor=worker,
    )
    return children.s47_record(
        step=new_step(), person=child, values={"start_date": "2026-12-02"}, actor=worker
    )


def test_an_initial_conference_needs_an_s47_and_starts_the_plan_it_decides(
    new_step: Any, child: Person, worker: User
) -> None:
    values = {"conference_date": "2026-12-18", "plan_required": True, "category": "NEG"}
    _open_referral(new_step, child, worker)
    children.strategy_discussion_record(
        step=new_step(),
        person=child,
        values={"discussion_date": "2026-12-02", "s47_required": True},
        actor=worker,
    )
    with pytest.raises(StepError, match="no section 47 enquiry awaiting a conference"):
        children.conference_initial(step=new_step(), person=child, values=values, actor=worker)
    enquiry = children.s47_record(
        step=new_step(), person=child, values={"start_date": "2026-12-02"}, actor=worker
    )

    step = new_step()
    conference = children.conference_initial(step=step, person=child, values=values, actor=worker)
    children.conference_initial(step=step, person=child, values=values, actor=worker)

    conference.refresh_from_db()
    assert conference.kind == "initial"
    assert conference.s47_enquiry_id == enquiry.pk
    assert conference.referral_id == enquiry.referral_id
    plan = CPPlan.objects.get(person=child)
    assert (plan.start_date, plan.initial_category, plan.latest_category) == (
        D(2026, 12, 18),
        "NEG",
        "NEG",
    )
    assert plan.initial_conference_id == conference.pk
    assert plan.referral_id == enquiry.referral_id
    assert plan.step_id == step.pk
    assert ChildProtectionConference.objects.count() == 1


def test_an_initial_conference_deciding_a_plan_needs_a_category(
    new_step: Any, child: Person, worker: User
) -> None:
    _to_initial_conference(new_step, child, worker)
    with pytest.raises(StepError, match="the category is missing"):
        children.conference_initial(
            step=new_step(),
            person=child,
            values={"conference_date": "2026-12-18", "plan_required": True},
            actor=worker,
        )
    no_plan = children.conference_initial(
        step=new_step(),
        person=child,
        values={"conference_date": "2026-12-18", "plan_required": False},
        actor=worker,
    )
    assert no_plan.plan_required is False
    assert not CPPlan.objects.exists()


def test_review_conferences_are_the_plan_reviews_change_the_category_and_can_end_it(
    new_step: Any, child: Person, worker: User
) -> None:
    review = {"conference_date": "2027-03-10", "plan_required": True, "category": "EMO"}
    with pytest.raises(StepError, match="has no open child protection plan to review"):
        children.conference_review(step=new_step(), person=child, values=review, actor=worker)
    _to_initial_conference(new_step, child, worker)
    children.conference_initial(
        step=new_step(),
        person=child,
        values={"conference_date": "2026-12-18", "plan_required": True, "category": "NEG"},
        actor=worker,
    )
    plan = CPPlan.objects.get()

    first = children.conference_review(step=new_step(), person=child, values=review, actor=worker)
    ending = new_step()
    children.conference_review(
        step=ending,
        person=child,
        values={"conference_date": "2027-09-10", "plan_required": False},
        actor=worker,
    )

    plan.refresh_from_db()
    assert first.cp_plan_id == plan.pk
    assert first.kind == "review"
    assert list(plan.conferences.values_list("conference_date", flat=True)) == [
        D(2027, 9, 10),
        D(2027, 3, 10),
    ]
    assert (plan.initial_category, plan.latest_category) == ("NEG", "EMO")
    assert (plan.end_date, plan.ended_by_step_id) == (D(2027, 9, 10), ending.pk)
    assert AuditEvent.objects.filter(action="cp_plan_category_changed").count() == 1


def test_a_plan_started_and_ended_without_conferences(
    new_step: Any, child: Person, worker: User
) -> None:
    with pytest.raises(StepError, match="has no open child protection plan to end"):
        children.cp_plan_end(
            step=new_step(), person=child, values={"end_date": "2027-01-01"}, actor=worker
        )
    referral = _open_referral(new_step, child, worker)
    plan = children.cp_plan_start(
        step=new_step(),
        person=child,
        values={"start_date": "2026-12-03", "initial_category": "PHY"},
        actor=worker,
    )
    with pytest.raises(StepError, match="already subject to a child protection plan"):
        children.cp_plan_start(
            step=new_step(),
            person=child,
            values={"start_date": "2026-12-04", "initial_category": "PHY"},
            actor=worker,
        )
    children.cp_plan_end(
        step=new_step(),
        person=child,
        values={"end_date": "2027-02-01", "reason": "Moved to another authority"},
        actor=worker,
    )
    plan.refresh_from_db()
    assert plan.referral_id == referral.pk
    assert plan.initial_conference_id is None
    assert (plan.end_date, plan.end_reason, plan.latest_category) == (
        D(2027, 2, 1),
        "Moved to another authority",
        "PHY",
    )


# -- looked after -----------------------------------------------------------------------------


def _looked_after(new_step: Any, child: Person, worker: User) -> CarePeriod:
    return children.care_period_start(
        step=new_step(),
        person=child,
        values={"start_date": "2026-12-01", "category_of_need": "N1"},
        actor=worker,
    )


def test_legal_statuses_and_placements_are_separate_effective_dated_rows(
    new_step: Any, child: Person, worker: User
) -> None:
    with pytest.raises(StepError, match="is not looked after"):
        children.legal_status_start(
            step=new_step(),
            person=child,
            values={"legal_status": "C1", "start_date": "2026-12-01"},
            actor=worker,
        )
    period = _looked_after(new_step, child, worker)
    children.legal_status_start(
        step=new_step(),
        person=child,
        values={"legal_status": "C1", "start_date": "2026-12-01"},
        actor=worker,
    )
    first = children.placement_start(
        step=new_step(),
        person=child,
        values={
            "placement_type": "U4",
            "provider": "PR1",
            "start_date": "2026-12-01",
            "postcode": "ls1 4ap",
            "home_postcode": "LS6 2AB",
            "urn": "sc123456",
        },
        actor=worker,
    )
    change = new_step()
    children.legal_status_start(
        step=change,
        person=child,
        values={"legal_status": "C2", "start_date": "2027-03-01"},
        actor=worker,
    )
    move = new_step()
    second = children.placement_start(
        step=move,
        person=child,
        values={
            "placement_type": "K2",
            "provider": "PR4",
            "start_date": "2027-04-01",
            "postcode": "BD1 1AA",
            "change_reason": "CREQB",
        },
        actor=worker,
    )

    assert list(
        LegalStatus.objects.order_by("start_date").values_list(
            "legal_status", "start_date", "end_date", "care_period"
        )
    ) == [
        ("C1", D(2026, 12, 1), D(2027, 3, 1), period.pk),
        ("C2", D(2027, 3, 1), None, period.pk),
    ]
    first.refresh_from_db()
    assert (first.postcode, first.home_postcode, first.urn) == ("LS1 4AP", "LS6 2AB", "SC123456")
    assert (first.end_date, first.change_reason, first.ended_by_step_id) == (
        D(2027, 4, 1),
        "CREQB",
        move.pk,
    )
    second.refresh_from_db()
    assert (second.placement_type, second.provider, second.postcode) == ("K2", "PR4", "BD1 1AA")
    # The child's home postcode does not change because the placement did.
    assert second.home_postcode == "LS6 2AB"
    assert second.end_date is None
    assert second.care_period_id == period.pk


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"placement_type": "U9", "provider": "PR1"}, "'U9' is not a valid placement type code"),
        ({"placement_type": "U4", "provider": "PR9"}, "'PR9' is not a valid provider code"),
        (
            {"placement_type": "U4", "provider": "PR1", "postcode": "NOT A CODE"},
            "is not a real UK postcode",
        ),
        ({"placement_type": "U4", "provider": "PR1", "urn": "12AB"}, "is not in the form"),
    ],
)
def test_placement_codes_postcodes_and_urns_are_checked(
    new_step: Any, child: Person, worker: User, values: dict[str, Any], message: str
) -> None:
    _looked_after(new_step, child, worker)
    with pytest.raises(StepError, match=message):
        children.placement_start(
            step=new_step(),
            person=child,
            values={**values, "start_date": "2026-12-01"},
            actor=worker,
        )
    assert not Placement.objects.exists()


def test_a_placement_change_needs_its_reason(new_step: Any, child: Person, worker: User) -> None:
    _looked_after(new_step, child, worker)
    placement = {"placement_type": "U4", "provider": "PR1", "start_date": "2026-12-01"}
    children.placement_start(step=new_step(), person=child, values=placement, actor=worker)
    with pytest.raises(StepError, match="the change reason is missing"):
        children.placement_start(
            step=new_step(),
            person=child,
            values={**placement, "start_date": "2027-01-05"},
            actor=worker,
        )


def test_ending_the_period_of_care_ends_its_legal_status_and_placement(
    new_step: Any, child: Person, worker: User
) -> None:
    period = _looked_after(new_step, child, worker)
    children.legal_status_start(
        step=new_step(),
        person=child,
        values={"legal_status": "V2", "start_date": "2026-12-01"},
        actor=worker,
    )
    children.placement_start(
        step=new_step(),
        person=child,
        values={"placement_type": "U6", "provider": "PR1", "start_date": "2026-12-01"},
        actor=worker,
    )
    with pytest.raises(StepError, match="'X1' is not a valid reason ceased code"):
        children.care_period_end(
            step=new_step(),
            person=child,
            values={"end_date": "2027-02-01", "reason_ceased": "X1"},
            actor=worker,
        )
    leaving = new_step()
    children.care_period_end(
        step=leaving,
        person=child,
        values={"end_date": "2027-02-01", "reason_ceased": "E4A"},
        actor=worker,
    )

    period.refresh_from_db()
    assert (period.end_date, period.reason_ceased, period.ended_by_step_id) == (
        D(2027, 2, 1),
        "E4A",
        leaving.pk,
    )
    assert LegalStatus.objects.get().end_date == D(2027, 2, 1)
    assert Placement.objects.get().end_date == D(2027, 2, 1)
    with pytest.raises(StepError, match="has no current placement to end"):
        children.placement_end(
            step=new_step(), person=child, values={"end_date": "2027-02-02"}, actor=worker
        )


def test_reviews_missing_episodes_and_care_leaver_contacts(
    new_step: Any, child: Person, worker: User
) -> None:
    with pytest.raises(StepError, match="was not looked after on 10/12/2026"):
        children.la_review_record(
            step=new_step(),
            person=child,
            values={"review_date": "2026-12-10", "participation": "PN1"},
            actor=worker,
        )
    period = _looked_after(new_step, child, worker)
    review = children.la_review_record(
        step=new_step(),
        person=child,
        values={"review_date": "2026-12-10", "participation": "PN1"},
        actor=worker,
    )
    missing = children.missing_record(
        step=new_step(),
        person=child,
        values={"kind": "M", "start_date": "2027-01-03"},
        actor=worker,
    )
    with pytest.raises(StepError, match="already recorded as missing from 03/01/2027"):
        children.missing_record(
            step=new_step(),
            person=child,
            values={"kind": "A", "start_date": "2027-01-04"},
            actor=worker,
        )
    children.missing_end(
        step=new_step(),
        person=child,
        values={"end_date": "2027-01-05", "return_interview_offered": True},
        actor=worker,
    )
    with pytest.raises(StepError, match="activity is missing"):
        children.care_leaver_contact(
            step=new_step(),
            person=child,
            values={"contact_date": "2027-06-01", "in_touch": "YES", "accommodation": "U1"},
            actor=worker,
        )
    children.care_leaver_contact(
        step=new_step(),
        person=child,
        values={"contact_date": "2027-06-01", "in_touch": "REFU"},
        actor=worker,
    )

    assert (review.care_period_id, review.participation) == (period.pk, "PN1")
    assert LookedAfterReview.objects.count() == 1
    missing.refresh_from_db()
    assert (missing.kind, missing.start_date, missing.end_date) == (
        "M",
        D(2027, 1, 3),
        D(2027, 1, 5),
    )
    assert (missing.return_interview_offered, missing.care_period_id) == (True, period.pk)
    assert MissingEpisode.objects.count() == 1
    leaver = CareLeaverContact.objects.get()
    assert (leaver.in_touch, leaver.activity, leaver.accommodation) == ("REFU", "", "")


def test_adoption_decision_match_and_reversal(new_step: Any, child: Person, worker: User) -> None:
    with pytest.raises(StepError, match="has no decision to place for adoption"):
        children.adoption_match(
            step=new_step(), person=child, values={"match_date": "2027-05-01"}, actor=worker
        )
    period = _looked_after(new_step, child, worker)
    decision = children.adoption_decision(
        step=new_step(), person=child, values={"decision_date": "2027-02-01"}, actor=worker
    )
    with pytest.raises(StepError, match="does not fit the adopters' sex"):
        children.adoption_match(
            step=new_step(),
            person=child,
            values={"match_date": "2027-05-01", "number_of_adopters": 1, "adopters_sex": "MF"},
            actor=worker,
        )
    match = children.adoption_match(
        step=new_step(),
        person=child,
        values={
            "match_date": "2027-05-01",
            "by_foster_carer": False,
            "number_of_adopters": 2,
            "adopters_sex": "MF",
            "adopters_legal_status": "L11",
        },
        actor=worker,
    )
    children.adoption_decision_reversed(
        step=new_step(),
        person=child,
        values={"reversed_date": "2027-08-01", "reason": "RD3"},
        actor=worker,
    )

    decision.refresh_from_db()
    assert decision.care_period_id == period.pk
    assert (decision.reversed_date, decision.reversed_reason) == (D(2027, 8, 1), "RD3")
    assert AdoptionMatch.objects.get().pk == match.pk
    assert (match.decision_id, match.number_of_adopters, match.adopters_legal_status) == (
        decision.pk,
        2,
        "L11",
    )
    assert AdoptionDecision.objects.count() == 1


def test_health_checks_and_sdq(new_step: Any, child: Person, worker: User) -> None:
    step = new_step()
    for kind in ("health_assessment", "dental_check", "health_assessment"):
        children.health_check_record(
            step=step, person=child, values={"kind": kind, "check_date": "2027-01-10"}, actor=worker
        )
    with pytest.raises(StepError, match="either a score or the reason"):
        children.sdq_record(
            step=new_step(),
            person=child,
            values={"assessed_on": "2027-01-10", "score": 12, "reason": "SDQ4"},
            actor=worker,
        )
    with pytest.raises(StepError, match="must be from 0 to 40"):
        children.sdq_record(
            step=new_step(),
            person=child,
            values={"assessed_on": "2027-01-10", "score": 41},
            actor=worker,
        )
    children.sdq_record(
        step=new_step(),
        person=child,
        values={"assessed_on": "2027-01-10", "score": "17"},
        actor=worker,
    )

    assert sorted(HealthCheck.objects.values_list("kind", flat=True)) == [
        "dental_check",
        "health_assessment",
    ]
    assert SDQScore.objects.get().score == 17


# -- through the mappings -------------------------------------------------------------------


def test_write_facts_resolves_answers_step_dates_and_literals(
    new_step: Any, child: Person, worker: User
) -> None:
    step = new_step(
        answers={"referral_date": "2026-12-01", "need": "N2", "seen": "Health visitor"},
        mappings=[
            {
                "fact": "contact.record",
                "values": {"contact_date": "step.event_date", "reason": "answers.seen"},
            },
            {
                "fact": "referral.open",
                "values": {
                    "referral_date": "answers.referral_date",
                    "source": {"value": "3B"},
                    "primary_need": "answers.need",
                },
            },
        ],
    )

    rows = write_facts(step=step, people=[child], actor=worker)
    write_facts(step=step, people=[child], actor=worker)

    contact, referral = rows
    assert isinstance(contact, Contact)
    assert isinstance(referral, Referral)
    assert (contact.contact_date, contact.reason) == (D(2026, 12, 1), "Health visitor")
    assert (referral.source, referral.primary_need, referral.contact_id) == ("3B", "N2", contact.pk)
    assert Contact.objects.count() == Referral.objects.count() == 1


def test_only_if_writes_a_fact_only_when_the_answer_is_yes(
    new_step: Any, child: Person, worker: User
) -> None:
    _open_referral(new_step, child, worker)
    mappings = [
        {
            "fact": "cin_plan.start",
            "values": {"start_date": "step.event_date", "only_if": "answers.cin_plan"},
        }
    ]
    skipped = new_step(answers={"cin_plan": False}, mappings=mappings)
    assert write_facts(step=skipped, people=[child], actor=worker) == [None]
    assert not CINPlan.objects.exists()

    written = new_step(answers={"cin_plan": True}, mappings=mappings)
    (plan,) = write_facts(step=written, people=[child], actor=worker)
    assert isinstance(plan, CINPlan)
    assert plan.start_date == D(2026, 12, 1)


def test_check_mappings_accepts_declared_fields_and_refuses_others() -> None:
    good = [
        {
            "fact": "placement.start",
            "values": {
                "placement_type": "answers.place",
                "provider": "answers.provider",
                "start_date": "step.event_date",
                "postcode": "answers.postcode",
                "only_if": "answers.moved",
            },
        }
    ]
    check_mappings(good, {"place", "provider", "postcode", "moved"})

    unknown_field = [
        {
            "fact": "referral.open",
            "values": {"referral_date": "answers.d", "source": "answers.s", "colour": "answers.c"},
        }
    ]
    with pytest.raises(facts.MappingError, match="'colour' is not a field of the fact"):
        check_mappings(unknown_field, {"d", "s", "c"})
    missing = [{"fact": "referral.open", "values": {"referral_date": "answers.d"}}]
    with pytest.raises(facts.MappingError, match="needs source"):
        check_mappings(missing, {"d"})
    with pytest.raises(facts.MappingError, match=r"unknown fact 'referral\.reopen'"):
        check_mappings([{"fact": "referral.reopen"}], set())


def test_every_fact_declares_known_kinds_and_required_fields_it_has() -> None:
    kinds = {"date", "text", "code", "codes", "bool", "int", "decimal", "people", "rows"}
    for name in facts.fact_names():
        spec = facts.fact_spec(name)
        assert set(spec.fields.values()) <= kinds, name
        assert spec.required <= set(spec.fields), name
        assert spec.fields["only_if"] == "bool", name


def test_a_bad_code_stops_completion_and_nothing_is_written(worker: User, child: Person) -> None:
    workflow = Workflow.objects.create(code="referrals", name="Referrals", service="children")
    version = form_with(
        "referral-facts",
        [
            {"key": "referral_date", "label": "Date", "kind": "date", "is_required": True},
            {"key": "source", "label": "Source code", "kind": "text", "is_required": True},
        ],
    )
    step_type = StepType.objects.create(
        workflow=workflow,
        code="referral-facts",
        name="Referral",
        form=version.form,
        is_entry_point=True,
        event_date_field="referral_date",
        fact_mappings=[
            {
                "fact": "referral.open",
                "values": {"referral_date": "answers.referral_date", "source": "answers.source"},
            }
        ],
    )
    step = step_start(actor=worker, step_type=step_type, person=child)
    nfa = step_type.transitions.create(label="No further action")

    with pytest.raises(StepError, match="Referral: 'Q' is not a valid source code"):
        step_complete(
            actor=worker,
            step=step,
            answers={"referral_date": "2026-12-01", "source": "Q"},
            expected_version=step.version,
            next_actions=[NextAction(nfa.pk)],
        )
    step.refresh_from_db()
    assert step.status == Step.Status.IN_PROGRESS
    assert not Referral.objects.exists()

    step_complete(
        actor=worker,
        step=step,
        answers={"referral_date": "2026-12-01", "source": "1C"},
        expected_version=step.version,
        next_actions=[NextAction(nfa.pk)],
    )
    referral = Referral.objects.get(person=child)
    assert (referral.referral_date, referral.source, referral.step_id) == (
        D(2026, 12, 1),
        "1C",
        step.pk,
    )
