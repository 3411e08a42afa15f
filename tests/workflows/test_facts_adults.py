"""Adults' statutory facts: the rows each writer writes, their links, retries and refusals."""

from __future__ import annotations

import datetime
import decimal
import itertools
from typing import Any

import factory
import pytest

from casemgmt.models import AuditEvent, Team, User
from clients.models import Person
from tests.factories import PersonFactory
from workflows.facts import MappingError, adults, check_mappings, write_facts
from workflows.models import (
    AdultCircumstances,
    AdultReview,
    CarerAssessment,
    DoLSApplication,
    Episode,
    Form,
    FormVersion,
    NeedsAssessment,
    Request,
    S42Enquiry,
    SafeguardingConcern,
    Step,
    StepType,
    SupportPlan,
    SupportPlanService,
    Workflow,
)
from workflows.services import StepError

pytestmark = pytest.mark.django_db

D = datetime.date
_codes = itertools.count(1)


class WorkflowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workflow
        django_get_or_create = ("code",)

    code = "adult-facts"
    name = "Adult facts"
    service = "adults"


class FormVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormVersion

    form = factory.LazyFunction(
        lambda: Form.objects.create(code=f"adult-facts-form-{next(_codes)}", name="Facts form")
    )
    number = 1
    status = FormVersion.Status.PUBLISHED
    schema = factory.LazyAttribute(lambda version: {"form": version.form.code, "sections": []})


class StepTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepType

    workflow = factory.SubFactory(WorkflowFactory)
    code = factory.LazyFunction(lambda: f"adult-facts-step-{next(_codes)}")
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
def adult(db: None) -> Person:
    return PersonFactory(first_name="Hyacinth", last_name="Campbell", date_of_birth=D(1941, 6, 2))


@pytest.fixture
def new_step(adult: Person, team_a: Team) -> Any:
    def make(**kwargs: Any) -> Step:
        return make_step(adult, team_a, **kwargs)

    return make


def _request(new_step: Any, adult: Person, worker: User, day: str = "2026-12-01") -> Request:
    return adults.request_record(
        step=new_step(),
        person=adult,
        values={"request_date": day, "route_of_access": "hospital_discharge"},
        actor=worker,
    )


def _assessment(new_step: Any, adult: Person, worker: User) -> NeedsAssessment:
    return adults.needs_assessment_record(
        step=new_step(),
        person=adult,
        values={
            "start_date": "2026-12-02",
            "end_date": "2026-12-20",
            "assessment_type": "long_term",
            "eligible_needs": "yes",
            "method": "service_user_and_carer",
            "outcome": "progress_support_planning",
        },
        actor=worker,
    )


# -- requests and assessments -------------------------------------------------------------


def test_an_assessment_links_the_request_it_answers_and_a_retry_writes_nothing(
    new_step: Any, adult: Person, worker: User
) -> None:
    request = _request(new_step, adult, worker)
    step = new_step()
    values = {"start_date": "2026-12-02", "assessment_type": "long_term", "eligible_needs": True}

    assessment = adults.needs_assessment_record(
        step=step, person=adult, values=values, actor=worker
    )
    again = adults.needs_assessment_record(step=step, person=adult, values=values, actor=worker)

    assert again.pk == assessment.pk
    assessment.refresh_from_db()
    assert assessment.request_id == request.pk
    assert (assessment.start_date, assessment.assessment_type, assessment.eligible_needs) == (
        D(2026, 12, 2),
        "long_term",
        True,
    )
    assert NeedsAssessment.objects.count() == 1
    assert AuditEvent.objects.filter(action="needsassessment_created").count() == 1
    # A second assessment does not claim a request another assessment already answers.
    later = adults.needs_assessment_record(
        step=new_step(), person=adult, values=values, actor=worker
    )
    assert later.request_id is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"request_date": "2026-12-01", "route_of_access": "Discharge from Hospital"},
            "'Discharge from Hospital' is not a valid route of access code",
        ),
        ({"request_date": "01/12/2026", "route_of_access": "prison"}, "is not a real date"),
        (
            {"request_date": "2026-12-01", "route_of_access": "prison", "end_date": "2026-11-01"},
            "end date .* is before the request date",
        ),
    ],
)
def test_a_request_with_a_bad_value_is_refused(
    new_step: Any, adult: Person, worker: User, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(StepError, match=message):
        adults.request_record(step=new_step(), person=adult, values=values, actor=worker)
    assert not Request.objects.exists()


def test_circumstances_are_effective_dated(new_step: Any, adult: Person, worker: User) -> None:
    row = adults.adult_circumstances_record(
        step=new_step(),
        person=adult,
        values={
            "recorded_on": "2026-12-20",
            "primary_support_reason": "physical_personal_care",
            "accommodation_status": "owner_occupier",
            "employment_status": "not_seeking_work",
            "has_unpaid_carer": True,
            "dementia": "no",
        },
        actor=worker,
    )
    row.refresh_from_db()
    assert (row.primary_support_reason, row.accommodation_status, row.employment_status) == (
        "physical_personal_care",
        "owner_occupier",
        "not_seeking_work",
    )
    assert (row.has_unpaid_carer, row.dementia, row.funding_status) == (True, False, "")
    assert AdultCircumstances.objects.get().recorded_on == D(2026, 12, 20)


def test_a_carers_assessment_links_the_people_cared_for(
    new_step: Any, adult: Person, worker: User
) -> None:
    husband = PersonFactory(first_name="Winston", last_name="Campbell")
    sister = PersonFactory(first_name="Merle", last_name="Campbell")
    values = {
        "start_date": "2026-12-05",
        "assessment_type": "long_term",
        "eligible_needs": True,
        "method": "carer",
        "hours_caring_per_week": "35.5",
        "cared_for": [sister.pk, husband.pk],
    }
    assessment = adults.carer_assessment_record(
        step=new_step(), person=adult, values=values, actor=worker
    )
    assessment.refresh_from_db()
    assert assessment.hours_caring_per_week == decimal.Decimal("35.5")
    assert assessment.adults_cared_for == 2
    assert list(assessment.cared_for.order_by("pk")) == sorted(
        [husband, sister], key=lambda person: person.pk
    )

    with pytest.raises(StepError, match="cannot be recorded as caring for themselves"):
        adults.carer_assessment_record(
            step=new_step(), person=adult, values={**values, "cared_for": adult.pk}, actor=worker
        )
    with pytest.raises(StepError, match="must be 168 or less"):
        adults.carer_assessment_record(
            step=new_step(),
            person=adult,
            values={**values, "hours_caring_per_week": 200},
            actor=worker,
        )
    with pytest.raises(StepError, match="1 adult\\(s\\) cared for, but 2 people are named"):
        adults.carer_assessment_record(
            step=new_step(), person=adult, values={**values, "adults_cared_for": 1}, actor=worker
        )
    assert CarerAssessment.objects.count() == 1


# -- support plans and reviews ----------------------------------------------------------------


HOME_CARE = {
    "service_type": "lts_community",
    "service_component": "home_support",
    "delivery_mechanism": "commissioned",
    "provider_cqc_location_id": "1-123456789",
    "provider_cqc_location_name": "Riverside Home Care",
    "unit_cost": "21.50",
    "cost_frequency": "hourly",
    "planned_units_per_week": 14,
}
DAY_CARE = {
    "service_type": "lts_community",
    "service_component": "day_support",
    "delivery_mechanism": "direct_payment",
    "unit_cost": "55.00",
    "cost_frequency": "daily",
    "planned_units_per_week": "2",
    "start_date": "2027-01-04",
}


def test_a_support_plan_writes_a_row_per_service_with_exact_costs(
    new_step: Any, adult: Person, worker: User
) -> None:
    assessment = _assessment(new_step, adult, worker)
    step = new_step()
    values = {"start_date": "2026-12-21", "services": [HOME_CARE, DAY_CARE]}

    plan = adults.support_plan_start(step=step, person=adult, values=values, actor=worker)
    adults.support_plan_start(step=step, person=adult, values=values, actor=worker)

    assert SupportPlan.objects.count() == 1
    assert plan.needs_assessment_id == assessment.pk
    assert plan.carer_assessment_id is None
    rows = list(
        SupportPlanService.objects.order_by("position").values(
            "position",
            "service_component",
            "delivery_mechanism",
            "provider_cqc_location_id",
            "unit_cost",
            "cost_frequency",
            "planned_units_per_week",
            "start_date",
            "end_date",
            "person",
            "step",
        )
    )
    assert rows == [
        {
            "position": 1,
            "service_component": "home_support",
            "delivery_mechanism": "commissioned",
            "provider_cqc_location_id": "1-123456789",
            "unit_cost": decimal.Decimal("21.50"),
            "cost_frequency": "hourly",
            "planned_units_per_week": decimal.Decimal("14.00"),
            "start_date": D(2026, 12, 21),
            "end_date": None,
            "person": adult.pk,
            "step": step.pk,
        },
        {
            "position": 2,
            "service_component": "day_support",
            "delivery_mechanism": "direct_payment",
            "provider_cqc_location_id": "",
            "unit_cost": decimal.Decimal("55.00"),
            "cost_frequency": "daily",
            "planned_units_per_week": decimal.Decimal("2.00"),
            "start_date": D(2027, 1, 4),
            "end_date": None,
            "person": adult.pk,
            "step": step.pk,
        },
    ]


@pytest.mark.parametrize(
    ("service", "message"),
    [
        ({**HOME_CARE, "service_type": "home care"}, "'home care' is not a valid service type"),
        ({**HOME_CARE, "unit_cost": "21.505"}, "has more than 2 decimal places"),
        ({**HOME_CARE, "unit_cost": "-1"}, "must be zero or more"),
        ({**HOME_CARE, "cost_frequency": ""}, "the cost frequency is missing"),
        ({**HOME_CARE, "planned_units_per_week": None}, "planned units per week is missing"),
        ({**HOME_CARE, "provider_cqc_location_id": "RX1"}, "is not in the form 1-123456789"),
        ({**HOME_CARE, "start_date": "2026-12-01"}, "is before the plan's start date"),
    ],
)
def test_each_service_is_checked_and_names_its_row(
    new_step: Any, adult: Person, worker: User, service: dict[str, Any], message: str
) -> None:
    with pytest.raises(StepError, match=message) as error:
        adults.support_plan_start(
            step=new_step(),
            person=adult,
            values={"start_date": "2026-12-21", "services": [DAY_CARE, service]},
            actor=worker,
        )
    assert str(error.value).startswith("Care and support plan (service 2): ")
    assert not SupportPlan.objects.exists()
    assert not SupportPlanService.objects.exists()


def test_a_plan_needs_a_service_and_can_have_one_from_top_level_fields(
    new_step: Any, adult: Person, worker: User
) -> None:
    with pytest.raises(StepError, match="the plan has no services"):
        adults.support_plan_start(
            step=new_step(), person=adult, values={"start_date": "2026-12-21"}, actor=worker
        )
    plan = adults.support_plan_start(
        step=new_step(),
        person=adult,
        values={
            "start_date": "2026-12-21",
            **{k: v for k, v in DAY_CARE.items() if k != "start_date"},
        },
        actor=worker,
    )
    service = plan.services.get()
    assert (service.service_component, service.start_date) == ("day_support", D(2026, 12, 21))


def test_a_new_plan_replaces_the_open_one_and_ending_a_plan_ends_its_services(
    new_step: Any, adult: Person, worker: User
) -> None:
    first = adults.support_plan_start(
        step=new_step(),
        person=adult,
        values={"start_date": "2026-12-21", "services": [HOME_CARE]},
        actor=worker,
    )
    second = adults.support_plan_start(
        step=new_step(),
        person=adult,
        values={
            "start_date": "2027-03-01",
            "services": [HOME_CARE, {**DAY_CARE, "start_date": ""}],
        },
        actor=worker,
    )
    first.refresh_from_db()
    assert first.end_date == D(2027, 2, 28)
    assert first.services.get().end_date == D(2027, 2, 28)

    ending = new_step()
    adults.support_plan_end(
        step=ending,
        person=adult,
        values={"end_date": "2027-06-30", "outcome": "service_ended_planned"},
        actor=worker,
    )
    adults.support_plan_end(
        step=ending,
        person=adult,
        values={"end_date": "2027-06-30", "outcome": "service_ended_planned"},
        actor=worker,
    )
    second.refresh_from_db()
    assert (second.end_date, second.end_outcome, second.ended_by_step_id) == (
        D(2027, 6, 30),
        "service_ended_planned",
        ending.pk,
    )
    assert set(second.services.values_list("end_date", flat=True)) == {D(2027, 6, 30)}
    with pytest.raises(StepError, match="has no open support plan to end"):
        adults.support_plan_end(
            step=new_step(), person=adult, values={"end_date": "2027-07-01"}, actor=worker
        )


def test_a_review_links_the_plan_in_force(new_step: Any, adult: Person, worker: User) -> None:
    plan = adults.support_plan_start(
        step=new_step(),
        person=adult,
        values={"start_date": "2026-12-21", "services": [HOME_CARE]},
        actor=worker,
    )
    review = adults.adult_review_record(
        step=new_step(),
        person=adult,
        values={
            "review_date": "2027-03-15",
            "reason": "planned",
            "outcomes_achieved": "partially",
            "method": "service_user",
            "outcome": "no_change",
        },
        actor=worker,
    )
    review.refresh_from_db()
    assert review.plan_id == plan.pk
    assert (review.reason, review.outcomes_achieved, review.method, review.outcome) == (
        "planned",
        "partially",
        "service_user",
        "no_change",
    )
    with pytest.raises(StepError, match="'annual' is not a valid reason code"):
        adults.adult_review_record(
            step=new_step(),
            person=adult,
            values={"review_date": "2027-03-15", "reason": "annual"},
            actor=worker,
        )
    assert AdultReview.objects.count() == 1


# -- safeguarding and DoLS --------------------------------------------------------------------


def test_a_section_42_enquiry_follows_a_concern_decided_as_one(
    new_step: Any, adult: Person, worker: User
) -> None:
    with pytest.raises(StepError, match="no safeguarding concern about Hyacinth Campbell"):
        adults.s42_enquiry_start(
            step=new_step(), person=adult, values={"start_date": "2026-12-03"}, actor=worker
        )
    concern = adults.safeguarding_concern_record(
        step=new_step(),
        person=adult,
        values={
            "received_date": "2026-12-01",
            "source": "health_staff",
            "abuse_types": ["financial", "neglect"],
            "location": "own_home",
            "source_of_risk": "known",
            "decision": "s42",
        },
        actor=worker,
    )
    enquiry = adults.s42_enquiry_start(
        step=new_step(), person=adult, values={"start_date": "2026-12-03"}, actor=worker
    )
    with pytest.raises(StepError, match="the risk outcome is missing"):
        adults.s42_enquiry_conclude(
            step=new_step(),
            person=adult,
            values={"end_date": "2027-01-20", "risk_assessment_outcome": "risk_action_taken"},
            actor=worker,
        )
    adults.s42_enquiry_conclude(
        step=new_step(),
        person=adult,
        values={
            "end_date": "2027-01-20",
            "risk_assessment_outcome": "risk_action_taken",
            "risk_outcome": "reduced",
            "outcomes_expressed": True,
            "outcomes_achieved": "fully",
        },
        actor=worker,
    )

    concern.refresh_from_db()
    assert concern.abuse_types == ["financial", "neglect"]
    assert (concern.decision, concern.decision_date) == ("s42", D(2026, 12, 1))
    enquiry.refresh_from_db()
    assert enquiry.concern_id == concern.pk
    assert (enquiry.end_date, enquiry.risk_outcome, enquiry.outcomes_achieved) == (
        D(2027, 1, 20),
        "reduced",
        "fully",
    )
    assert S42Enquiry.objects.count() == 1
    with pytest.raises(StepError, match="has no open section 42 enquiry"):
        adults.s42_enquiry_conclude(
            step=new_step(),
            person=adult,
            values={"end_date": "2027-01-21", "risk_assessment_outcome": "no_risk"},
            actor=worker,
        )
    with pytest.raises(StepError, match="'bullying' is not a valid abuse types code"):
        adults.safeguarding_concern_record(
            step=new_step(),
            person=adult,
            values={"received_date": "2026-12-01", "abuse_types": ["bullying"]},
            actor=worker,
        )
    assert SafeguardingConcern.objects.count() == 1


def test_a_dols_application_and_its_decision(new_step: Any, adult: Person, worker: User) -> None:
    with pytest.raises(StepError, match="no DoLS application awaiting a decision"):
        adults.dols_decision(
            step=new_step(),
            person=adult,
            values={"decision_date": "2026-12-10", "decision": "not_granted"},
            actor=worker,
        )
    application = adults.dols_application(
        step=new_step(),
        person=adult,
        values={"received_date": "2026-12-01", "kind": "urgent", "managing_authority": "Elm Lodge"},
        actor=worker,
    )
    with pytest.raises(StepError, match="the granted until is missing"):
        adults.dols_decision(
            step=new_step(),
            person=adult,
            values={"decision_date": "2026-12-10", "decision": "granted"},
            actor=worker,
        )
    adults.dols_decision(
        step=new_step(),
        person=adult,
        values={
            "decision_date": "2026-12-10",
            "decision": "granted",
            "granted_until": "2027-12-09",
        },
        actor=worker,
    )
    application.refresh_from_db()
    assert (application.kind, application.decision) == ("urgent", "granted")
    assert (application.granted_from, application.granted_until) == (
        D(2026, 12, 10),
        D(2027, 12, 9),
    )
    assert DoLSApplication.objects.count() == 1


# -- through the mappings -------------------------------------------------------------------


def test_a_support_plan_step_maps_a_repeating_group_of_services(
    new_step: Any, adult: Person, worker: User
) -> None:
    mappings = [
        {
            "fact": "support_plan.start",
            "values": {"start_date": "answers.plan_start", "services": "answers.services"},
        },
        {
            "fact": "adult_circumstances.record",
            "values": {
                "recorded_on": "answers.plan_start",
                "primary_support_reason": "answers.psr",
            },
        },
    ]
    check_mappings(mappings, {"plan_start", "services", "psr"})
    step = new_step(
        answers={"plan_start": "2026-12-21", "services": [HOME_CARE], "psr": "mental_health"},
        mappings=mappings,
    )

    plan, circumstances = write_facts(step=step, people=[adult], actor=worker)
    write_facts(step=step, people=[adult], actor=worker)

    assert isinstance(plan, SupportPlan)
    assert plan.services.get().unit_cost == decimal.Decimal("21.50")
    assert circumstances.primary_support_reason == "mental_health"
    assert SupportPlanService.objects.count() == 1
    assert AdultCircumstances.objects.count() == 1


def test_check_mappings_refuses_a_field_an_adult_fact_does_not_have() -> None:
    with pytest.raises(MappingError, match="'weekly_cost' is not a field of the fact"):
        check_mappings(
            [
                {
                    "fact": "support_plan.start",
                    "values": {"start_date": "answers.d", "weekly_cost": "answers.c"},
                }
            ],
            {"d", "c"},
        )
    with pytest.raises(MappingError, match="needs route_of_access"):
        check_mappings(
            [{"fact": "request.record", "values": {"request_date": "step.event_date"}}], set()
        )
