"""The shipped adults' services pack: it imports cleanly and takes adults through the Care Act.

Each walk drives the step services directly with fixed dates, and checks the due dates the
timescales give (calendar days, working days over Christmas, months), the statutory facts
each step writes, the chronology, and the closure of the episode.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from casemgmt.models import CodeList, Team, User
from clients.models import ChronologyEntry, Person
from tests.factories import InvolvementFactory, PersonFactory
from workflows import statutory_codes
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
    StepLink,
    StepType,
    SupportPlan,
    SupportPlanService,
    Transition,
    Workflow,
)
from workflows.packs import ImportResult, pack_canonical, pack_export, pack_import
from workflows.services import (
    AnswersInvalid,
    NextAction,
    StepError,
    offered_actions,
    step_allocate,
    step_authorise,
    step_complete,
    step_save,
    step_start,
)

pytestmark = pytest.mark.django_db

PACK = Path(__file__).resolve().parents[2] / "workflows" / "packs" / "adults.yaml"

D = datetime.date


@pytest.fixture
def pack(users: dict[str, User]) -> ImportResult:
    return pack_import(actor=None, text=PACK.read_text(), filename="adults.yaml")


@pytest.fixture
def adult(users: dict[str, User], team_a: Team) -> Person:
    """An older woman allocated to the allocated worker in team A."""
    person = PersonFactory(
        first_name="Hyacinth", last_name="Campbell", date_of_birth=D(1941, 6, 2), sex="F"
    )
    InvolvementFactory(person=person, worker=users["allocated_worker"], team=team_a)
    return person


@pytest.fixture
def carer(adult: Person) -> Person:
    """Her husband, who cares for her."""
    return PersonFactory(
        first_name="Winston", last_name="Campbell", date_of_birth=D(1939, 2, 11), sex="M"
    )


# -- helpers ---------------------------------------------------------------------------------


def _step_type(code: str) -> StepType:
    return StepType.objects.get(code=code)


def _transition(step: Step, to: str | None) -> Transition:
    """The next action of the step's type leading to `to` (None: no further action)."""
    for transition in step.step_type.transitions.select_related("to_step_type"):
        target = transition.to_step_type.code if transition.to_step_type else None
        if target == to:
            return transition
    raise AssertionError(f"{step.step_type.code} has no next action to {to}")


def _complete(actor: User, step: Step, answers: dict[str, Any], to: str | None) -> Step:
    return step_complete(
        actor=actor,
        step=step,
        answers=answers,
        expected_version=step.version,
        next_actions=[NextAction(_transition(step, to).pk)],
    )


def _next(step: Step, code: str) -> Step:
    """The step of type `code` started as a next action of `step`."""
    return (
        StepLink.objects.select_related("to_step")
        .get(from_step=step, to_step__step_type__code=code)
        .to_step
    )


def _offered(step: Step) -> list[str | None]:
    return [t.to_step_type.code if t.to_step_type else None for t in offered_actions(step)]


def _chronology(person: Person) -> list[tuple[datetime.date, str, str]]:
    return list(
        ChronologyEntry.objects.filter(person=person, source=ChronologyEntry.Source.WORKFLOW)
        .order_by("event_date", "id")
        .values_list("event_date", "category", "summary")
    )


# -- answers a practitioner would give ------------------------------------------------------


def contact_answers(**changes: Any) -> dict[str, Any]:
    return {
        "contact_date": "2026-03-02",
        "contact_method": "phone",
        "client_type": "service_user",
        "route_of_access": "hospital_discharge",
        "who_is_asking": "hospital",
        "referrer_name": "Grace Okafor",
        "referrer_relationship": "Discharge coordinator, St James's Hospital",
        "referrer_phone": "0113 496 0123",
        "presenting_need": "Mrs Campbell broke her hip and goes home on Friday; she cannot "
        "wash or dress without help yet.",
        "current_support": "Her husband Winston, who is 87.",
        "urgency": "priority",
        "risk_of_abuse": False,
        "person_aware": True,
        "consent": "given",
        "information_advice_given": True,
        "information_advice_topics": ["paying_for_care", "carers"],
        "signposted_to": "Carers Leeds",
        "outcome": "progress_assessment",
        "outcome_date": "2026-03-03",
        "outcome_reason": "Likely eligible needs for personal care after discharge.",
        **changes,
    }


OUTCOME_KEYS = [
    "nutrition",
    "personal_hygiene",
    "toilet_needs",
    "clothing",
    "home_safety",
    "habitable_home",
    "relationships",
    "work_education",
    "community_facilities",
    "caring_responsibilities",
]


def assessment_answers(**changes: Any) -> dict[str, Any]:
    unable = {"nutrition", "personal_hygiene", "toilet_needs", "clothing"}
    outcomes: dict[str, Any] = {}
    for key in OUTCOME_KEYS:
        outcomes[f"{key}_unable"] = key in unable
        if key in unable:
            outcomes[f"{key}_detail"] = "Cannot stand for long; needs help from one person."
    return {
        "assessment_start_date": "2026-03-09",
        "assessment_end_date": "2026-03-25",
        "assessment_type": "long_term",
        "method_of_assessment": "service_user_and_carer",
        "assessment_format": "face_to_face",
        "others_consulted": "Winston Campbell; the hospital occupational therapist.",
        "advocate_needed": False,
        "capacity_doubt": False,
        "person_views": "Wants to stay at home with Winston and get back to church.",
        "strengths": "Determined; close to her daughter Marcia, who visits weekly.",
        **outcomes,
        "needs_from_impairment": True,
        "wellbeing_impact": True,
        "wellbeing_areas": ["control", "dignity", "health"],
        "wellbeing_detail": "Without help she cannot wash or dress and feels a burden.",
        "eligible_needs": True,
        "eligibility_reasons": "Unable to achieve four outcomes, with a significant impact.",
        "primary_support_reason": "physical_personal_care",
        "dementia": False,
        "accommodation_status": "owner_occupier",
        "employment_status": "not_seeking_work",
        "has_unpaid_carer": True,
        "carer_assessment_offered": True,
        "needs_met_by_carer": "Winston prepares meals and does the shopping.",
        "outcome": "progress_support_planning",
        "financial_assessment_needed": True,
        "copy_given": True,
        **changes,
    }


def plan_answers(**changes: Any) -> dict[str, Any]:
    return {
        "plan_start_date": "2026-04-06",
        "personal_outcomes": "To wash and dress every morning and get to church on Sundays.",
        "how_needs_met": "Home care twice a day; a day centre two days a week.",
        "needs_met_by_carer": "Meals and shopping.",
        "contingency_plan": "Marcia will stay if Winston is unwell; call the duty team.",
        "person_agrees": True,
        "services": [
            {
                "service_type": "lts_community",
                "service_component": "home_support",
                "delivery_mechanism": "commissioned",
                "description": "Morning and evening calls",
                "provider_cqc_location_name": "Bramley Home Care",
                "provider_cqc_location_id": "1-123456789",
                "unit_cost": "24.50",
                "cost_frequency": "hourly",
                "planned_units_per_week": 10.5,
            },
            {
                "service_type": "lts_community",
                "service_component": "day_support",
                "delivery_mechanism": "direct_payment",
                "description": "Day centre on Tuesdays and Thursdays",
                "start_date": "2026-04-14",
                "unit_cost": "60",
                "cost_frequency": "daily",
                "planned_units_per_week": 2,
            },
        ],
        "personal_budget_total": "377.25",
        "assessed_contribution": "85.40",
        "direct_payment_agreed": True,
        **changes,
    }


def review_answers(**changes: Any) -> dict[str, Any]:
    return {
        "review_date": "2027-03-29",
        "review_reason": "planned",
        "method_of_review": "service_user_and_carer",
        "review_format": "face_to_face",
        "outcomes_achieved": "partially",
        "person_views": "The carers are kind; she would like a later evening call.",
        "needs_changed": False,
        "concerns_about_care": False,
        "outcome": "no_change",
        "outcome_reason": "The plan meets her needs; the provider will move the evening call.",
        **changes,
    }


def carers_assessment_answers(cared_for: Person, **changes: Any) -> dict[str, Any]:
    return {
        "assessment_start_date": "2026-05-12",
        "assessment_end_date": "2026-05-20",
        "assessment_type": "long_term",
        "method_of_assessment": "carer",
        "assessment_format": "face_to_face",
        "hours_caring_per_week": 35,
        "adults_cared_for": [
            {
                "person": cared_for.pk,
                "relationship": "spouse_partner",
                "lives_with_carer": True,
                "care_provided": "Meals, shopping, medication and company at night.",
            }
        ],
        "caring_tasks": ["medication", "personal_care", "emotional"],
        "willing_and_able": True,
        "health_deteriorating": True,
        "outcomes_unable": ["recreation", "relationships"],
        "impact_on_wellbeing": "Winston is exhausted and has stopped going to his bowls club.",
        "wellbeing_impact_significant": True,
        "eligible_needs": True,
        "eligibility_reasons": "Caring puts his health at risk and he cannot see his friends.",
        "support_offered": ["personal_budget", "replacement_care", "emergency_plan"],
        "carer_personal_budget": "450.00",
        "emergency_plan_in_place": True,
        "outcome": "progress_support_planning",
        **changes,
    }


def concern_answers(**changes: Any) -> dict[str, Any]:
    return {
        "concern_received_date": "2026-12-24",
        "source_of_concern": "family",
        "referrer_name": "Marcia Campbell",
        "referrer_contact": "07700 900123",
        "concern_detail": "A lodger has been taking Mrs Campbell's pension and shouting at her.",
        "abuse_types": ["financial", "psychological"],
        "location_of_risk": "own_home",
        "source_of_risk": "known",
        "alleged_person_details": "Lodger since October, name not known.",
        "immediate_risk": False,
        "police_informed": False,
        "person_aware": True,
        "outcomes_asked": True,
        "desired_outcomes": "She wants the lodger to leave and her money back.",
        "person_views": "Frightened but wants to stay at home.",
        "lacks_capacity": "has_capacity",
        **changes,
    }


def decision_answers(**changes: Any) -> dict[str, Any]:
    return {
        "has_care_needs": True,
        "at_risk": True,
        "unable_to_protect": True,
        "decision_date": "2026-12-29",
        "decision": "s42",
        "decision_reason": "All three section 42 conditions are met.",
        **changes,
    }


def enquiry_answers(**changes: Any) -> dict[str, Any]:
    return {
        "enquiry_start_date": "2026-12-30",
        "enquiry_end_date": "2027-02-12",
        "undertaken_by": "council",
        "enquiry_officer": "Alice Worker",
        "strategy_meeting": True,
        "strategy_meeting_date": "2027-01-05",
        "person_involved": True,
        "abuse_types": ["financial", "psychological"],
        "location_of_risk": "own_home",
        "source_of_risk": "known",
        "risk_assessment_outcome": "risk_action_taken",
        "action_detail": "The lodger left; the bank stopped his access; police informed.",
        "risk_outcome": "reduced",
        "findings": "Financial abuse by the lodger substantiated; £2,300 taken.",
        "outcomes_asked": True,
        "outcomes_expressed": True,
        "desired_outcomes": "The lodger to leave and her money back.",
        "outcomes_achieved": "partially",
        "lacks_capacity": "has_capacity",
        "protection_plan": True,
        **changes,
    }


def safeguarding_outcome_answers(**changes: Any) -> dict[str, Any]:
    return {
        "outcome_date": "2027-02-18",
        "outcome_summary": "The lodger has gone; the bank is recovering part of the money.",
        "person_informed": True,
        "person_feedback": "She felt listened to.",
        "plan_continues": False,
        "referrals_made": ["police", "review"],
        **changes,
    }


DOLS_ASSESSMENTS = [
    ("age", "Dr Priya Shah", "mha"),
    ("mental_health", "Dr Priya Shah", "mha"),
    ("no_refusals", "Tom Reid", "bia"),
    ("mental_capacity", "Tom Reid", "bia"),
    ("eligibility", "Tom Reid", "bia"),
    ("best_interests", "Tom Reid", "bia"),
]


def dols_answers(**changes: Any) -> dict[str, Any]:
    return {
        "request_received_date": "2026-08-03",
        "authorisation_type": "urgent",
        "urgent_authorisation_date": "2026-08-03",
        "urgent_extension_requested": False,
        "further_authorisation": False,
        "managing_authority_type": "care_home",
        "managing_authority_name": "Beechwood Care Home",
        "managing_authority_cqc_id": "1-987654321",
        "reason_for_request": "Locked door and constant supervision; she asks to go home.",
        "assessments": [
            {
                "requirement": requirement,
                "assessor_name": name,
                "assessor_role": role,
                "completed_date": "2026-08-07",
                "requirement_met": True,
            }
            for requirement, name, role in DOLS_ASSESSMENTS
        ],
        "decision": "granted",
        "decision_date": "2026-08-10",
        "granted_from": "2026-08-10",
        "granted_until": "2027-02-09",
        "conditions": "Weekly trips out with her daughter.",
        "representative_name": "Marcia Campbell (daughter)",
        "decision_reason": "All six qualifying requirements are met.",
        **changes,
    }


# -- walking the care and support pathway -------------------------------------------------------


def _contact(worker: User, person: Person, **changes: Any) -> Step:
    step = step_start(
        actor=worker,
        step_type=_step_type("adult-contact"),
        person=person,
        start=D(2026, 3, 2),
    )
    return step_save(
        actor=worker, step=step, answers=contact_answers(**changes), expected_version=step.version
    )


def _to_assessment(worker: User, manager: User, adult: Person) -> Step:
    contact = _complete(
        worker, _contact(worker, adult), contact_answers(), "adult-needs-assessment"
    )
    assessment = _next(contact, "adult-needs-assessment")
    assessment = _complete(worker, assessment, assessment_answers(), "adult-support-plan")
    return step_authorise(actor=manager, step=assessment)


def _to_review(worker: User, manager: User, adult: Person) -> Step:
    plan = _next(_to_assessment(worker, manager, adult), "adult-support-plan")
    plan = step_authorise(
        actor=manager, step=_complete(worker, plan, plan_answers(), "adult-review")
    )
    return _next(plan, "adult-review")


# -- the pack itself -------------------------------------------------------------------------


def test_the_pack_imports_whole_and_a_second_import_changes_nothing(pack: ImportResult) -> None:
    assert pack.pack == "adults"
    assert set(Workflow.objects.values_list("code", "service")) == {
        ("adult-care-and-support", "adults"),
        ("adult-safeguarding", "adults"),
        ("adult-dols", "adults"),
    }
    assert StepType.objects.count() == 10
    assert set(StepType.objects.filter(is_entry_point=True).values_list("code", flat=True)) == {
        "adult-contact",
        "adult-carers-assessment",
        "adult-safeguarding-concern",
        "adult-dols-request",
    }
    assert set(
        StepType.objects.filter(requires_authorisation=True).values_list(
            "code", "authoriser_role__name"
        )
    ) == {
        ("adult-needs-assessment", "team_manager"),
        ("adult-support-plan", "team_manager"),
        ("adult-safeguarding-concern", "team_manager"),
        ("adult-safeguarding-outcome", "team_manager"),
        ("adult-dols-request", "team_manager"),
    }
    # Business support records contacts and concerns, and starts nothing else.
    for step_type in StepType.objects.prefetch_related("start_roles"):
        roles = {role.name for role in step_type.start_roles.all()}
        front_door = step_type.code in {"adult-contact", "adult-safeguarding-concern"}
        assert ("business_support" in roles) is front_door, step_type.code
        assert {"practitioner", "team_manager", "senior_manager"} <= roles
        assert step_type.default_team_id is None
    assert Form.objects.count() == 9
    assert FormVersion.objects.filter(status=FormVersion.Status.PUBLISHED, number=1).count() == 9
    assert CodeList.objects.filter(key__startswith="asc-").count() == 28
    review = _step_type("adult-review")
    assert (review.timescale_amount, review.timescale_unit, review.timescale_from) == (
        12,
        "months",
        "previous",
    )
    assert pack_import(actor=None, text=PACK.read_text(), filename="adults.yaml").changed is False


def test_the_pack_exports_as_it_was_imported(pack: ImportResult) -> None:
    exported = pack_export(
        workflows=["adult-care-and-support", "adult-safeguarding", "adult-dols"],
        pack_code="adults",
        name="Adults' services (Care Act 2014)",
    )
    assert exported == pack_canonical(text=PACK.read_text(), filename="adults.yaml")


# The pack's code lists whose codes the statutory facts store, and the list each must match.
STATUTORY_LISTS = {
    "asc-route-of-access": statutory_codes.ROUTE_OF_ACCESS,
    "asc-primary-support-reason": statutory_codes.PRIMARY_SUPPORT_REASON,
    "asc-accommodation-status": statutory_codes.ACCOMMODATION_STATUS,
    "asc-employment-status": statutory_codes.EMPLOYMENT_STATUS,
    "asc-request-outcome": statutory_codes.EVENT_OUTCOME,
    "asc-assessment-outcome": statutory_codes.EVENT_OUTCOME,
    "asc-review-outcome": statutory_codes.EVENT_OUTCOME,
    "asc-assessment-type": statutory_codes.ASSESSMENT_TYPE,
    "asc-involvement": statutory_codes.ASSESSMENT_METHOD,
    "asc-service-type": statutory_codes.SERVICE_TYPE,
    "asc-service-component": statutory_codes.SERVICE_COMPONENT,
    "asc-delivery-mechanism": statutory_codes.DELIVERY_MECHANISM,
    "asc-cost-frequency": statutory_codes.COST_FREQUENCY,
    "asc-review-reason": statutory_codes.REVIEW_REASON,
    "asc-outcomes-achieved": statutory_codes.OUTCOMES_ACHIEVED,
    "asc-safeguarding-source": statutory_codes.CONCERN_SOURCE,
    "asc-abuse-type": statutory_codes.ABUSE_TYPE,
    "asc-risk-location": statutory_codes.ABUSE_LOCATION,
    "asc-risk-source": statutory_codes.SOURCE_OF_RISK,
    "asc-safeguarding-decision": statutory_codes.CONCERN_DECISION,
    "asc-risk-assessment-outcome": statutory_codes.RISK_ASSESSMENT_OUTCOME,
    "asc-risk-outcome": statutory_codes.RISK_OUTCOME,
    "asc-dols-request-type": statutory_codes.DOLS_TYPE,
    "asc-dols-outcome": statutory_codes.DOLS_DECISION,
}
# Event outcomes are split by the event they close; the others are the whole list.
PARTIAL_LISTS = {"asc-request-outcome", "asc-assessment-outcome", "asc-review-outcome"}


def test_statutory_code_lists_use_the_codes_and_labels_the_facts_store(
    pack: ImportResult,
) -> None:
    differ = []
    for key, statutory in STATUTORY_LISTS.items():
        codes = set(CodeList.objects.get(key=key).codes.values_list("code", "label"))
        if not (codes <= set(statutory) if key in PARTIAL_LISTS else codes == set(statutory)):
            differ.append(key)
    assert differ == []


def test_the_needs_assessment_form_holds_the_ten_eligibility_outcomes(pack: ImportResult) -> None:
    schema = _step_type("adult-needs-assessment").form.latest_published().schema
    outcomes = next(s for s in schema["sections"] if s["key"] == "outcomes")
    assert [field["key"] for field in outcomes["fields"]] == [
        f"{key}_{part}" for key in OUTCOME_KEYS for part in ("unable", "detail")
    ]
    route = next(
        field
        for section in _step_type("adult-contact").form.latest_published().schema["sections"]
        for field in section["fields"]
        if field["key"] == "route_of_access"
    )
    assert [label for _, label in route["choices"]] == [
        "Planned Entry (Transition)",
        "Discharge from Hospital",
        "Diversion from Hospital Services",
        "Community / Other route",
        "Prison",
        "Self-Funder",
        "Discharge from Reablement",
        "Transfer from Other LA",
    ]


# -- contact -> assessment -> support plan -> review --------------------------------------------


def test_an_adult_goes_from_contact_to_assessment_support_plan_and_review(
    pack: ImportResult, users: dict[str, User], adult: Person, team_a: Team
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]

    # Contact: recorded by the worker who takes the call, due the next working day.
    contact = _contact(worker, adult)
    assert (contact.status, contact.assignee, contact.team) == ("in_progress", worker, team_a)
    assert contact.due_date == D(2026, 3, 3)
    assert _offered(contact) == ["adult-needs-assessment"]
    contact = _complete(worker, contact, contact_answers(), "adult-needs-assessment")
    assert (contact.status, contact.event_date) == ("completed", D(2026, 3, 2))
    request = Request.objects.get(person=adult)
    assert (
        request.request_date,
        request.route_of_access,
        request.end_date,
        request.outcome,
        request.step,
    ) == (D(2026, 3, 2), "hospital_discharge", D(2026, 3, 3), "progress_assessment", contact)

    # Assessment: waits in the team's tray, due 28 calendar days after the contact.
    assessment = _next(contact, "adult-needs-assessment")
    assert (assessment.status, assessment.assignee, assessment.team) == ("planned", None, team_a)
    assert assessment.due_date == D(2026, 3, 30)
    assessment = step_save(
        actor=worker,
        step=assessment,
        answers=assessment_answers(),
        expected_version=assessment.version,
    )
    assert _offered(assessment) == ["adult-support-plan"]
    assessment = _complete(worker, assessment, assessment_answers(), "adult-support-plan")
    assert assessment.status == "awaiting_authorisation"
    assert not NeedsAssessment.objects.exists()  # nothing is statutory until authorised
    assessment = step_authorise(actor=manager, step=assessment, comments="Agreed.")
    assert (assessment.status, assessment.event_date) == ("completed", D(2026, 3, 25))
    assert assessment.authorised_by == manager
    needs = NeedsAssessment.objects.get(person=adult)
    assert (
        needs.start_date,
        needs.end_date,
        needs.assessment_type,
        needs.eligible_needs,
        needs.method,
        needs.outcome,
        needs.request,
        needs.step,
    ) == (
        D(2026, 3, 9),
        D(2026, 3, 25),
        "long_term",
        True,
        "service_user_and_carer",
        "progress_support_planning",
        request,
        assessment,
    )
    circumstances = AdultCircumstances.objects.get(person=adult)
    assert (
        circumstances.recorded_on,
        circumstances.primary_support_reason,
        circumstances.accommodation_status,
        circumstances.employment_status,
        circumstances.funding_status,
        circumstances.has_unpaid_carer,
        circumstances.dementia,
    ) == (
        D(2026, 3, 25),
        "physical_personal_care",
        "owner_occupier",
        "not_seeking_work",
        "",
        True,
        False,
    )

    # Support plan: the assessing worker's, due 28 days after the assessment; authorised.
    plan = _next(assessment, "adult-support-plan")
    assert (plan.status, plan.assignee, plan.team) == ("planned", worker, team_a)
    assert plan.due_date == D(2026, 4, 22)
    plan = _complete(worker, plan, plan_answers(), "adult-review")
    assert plan.status == "awaiting_authorisation"
    plan = step_authorise(actor=manager, step=plan)
    support_plan = SupportPlan.objects.get(person=adult)
    assert (
        support_plan.start_date,
        support_plan.end_date,
        support_plan.needs_assessment,
        support_plan.step,
    ) == (D(2026, 4, 6), None, needs, plan)
    services = list(
        SupportPlanService.objects.filter(plan=support_plan)
        .order_by("position")
        .values(
            "position",
            "service_type",
            "service_component",
            "delivery_mechanism",
            "provider_cqc_location_id",
            "provider_cqc_location_name",
            "unit_cost",
            "cost_frequency",
            "planned_units_per_week",
            "description",
            "start_date",
            "end_date",
        )
    )
    assert services == [
        {
            "position": 1,
            "service_type": "lts_community",
            "service_component": "home_support",
            "delivery_mechanism": "commissioned",
            "provider_cqc_location_id": "1-123456789",
            "provider_cqc_location_name": "Bramley Home Care",
            "unit_cost": Decimal("24.50"),
            "cost_frequency": "hourly",
            "planned_units_per_week": Decimal("10.50"),
            "description": "Morning and evening calls",
            "start_date": D(2026, 4, 6),
            "end_date": None,
        },
        {
            "position": 2,
            "service_type": "lts_community",
            "service_component": "day_support",
            "delivery_mechanism": "direct_payment",
            "provider_cqc_location_id": "",
            "provider_cqc_location_name": "",
            "unit_cost": Decimal("60.00"),
            "cost_frequency": "daily",
            "planned_units_per_week": Decimal("2.00"),
            "description": "Day centre on Tuesdays and Thursdays",
            "start_date": D(2026, 4, 14),
            "end_date": None,
        },
    ]

    # Review: the allocated worker's, due 12 months after the plan started.
    review = _next(plan, "adult-review")
    assert (review.status, review.assignee, review.team) == ("planned", worker, team_a)
    assert review.due_date == D(2027, 4, 6)
    assert _offered(review) == []  # no outcome yet: nothing fits
    review = _complete(worker, review, review_answers(), "adult-review")
    assert review.status == "completed"
    adult_review = AdultReview.objects.get(person=adult)
    assert (
        adult_review.review_date,
        adult_review.reason,
        adult_review.outcomes_achieved,
        adult_review.method,
        adult_review.outcome,
        adult_review.plan,
    ) == (
        D(2027, 3, 29),
        "planned",
        "partially",
        "service_user_and_carer",
        "no_change",
        support_plan,
    )
    # The next review falls 12 months after this one; the plan carries on.
    next_review = _next(review, "adult-review")
    assert (next_review.status, next_review.due_date) == ("planned", D(2028, 3, 29))
    support_plan.refresh_from_db()
    assert support_plan.end_date is None

    assert _chronology(adult) == [
        (D(2026, 3, 2), "Contact", "Contact completed"),
        (D(2026, 3, 25), "Assessment", "Care Act needs assessment completed"),
        (D(2026, 4, 6), "Care and support plan", "Care and support plan completed"),
        (D(2027, 3, 29), "Review", "Review completed"),
    ]
    episode = Episode.objects.get(person=adult)
    assert (episode.workflow.code, episode.opened_on, episode.closed_on) == (
        "adult-care-and-support",
        D(2026, 3, 2),
        None,
    )


def test_a_review_that_ends_support_ends_the_plan_and_closes_the_episode(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    review = _to_review(worker, manager, adult)
    answers = review_answers(
        review_reason="unplanned",
        outcomes_achieved="fully",
        outcome="service_ended_planned",
        outcome_reason="Mrs Campbell has recovered and manages with Winston's help.",
        plan_ends=True,
        plan_end_date="2027-03-31",
    )
    review = step_save(actor=worker, step=review, answers=answers, expected_version=review.version)
    assert _offered(review) == [None]
    _complete(worker, review, answers, None)

    support_plan = SupportPlan.objects.get(person=adult)
    assert (support_plan.end_date, support_plan.end_outcome, support_plan.ended_by_step) == (
        D(2027, 3, 31),
        "service_ended_planned",
        review,
    )
    assert list(support_plan.services.order_by("position").values_list("end_date", flat=True)) == [
        D(2027, 3, 31),
        D(2027, 3, 31),
    ]
    assert AdultReview.objects.get(person=adult).reason == "unplanned"
    episode = Episode.objects.get(person=adult)
    assert (episode.closed_on, episode.closure_reason) == (
        D(2027, 3, 29),
        "Support ended after review",
    )
    assert not Step.objects.filter(episode=episode).open().exists()


def test_a_support_plan_is_offered_only_when_eligible_needs_are_identified(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    contact = _complete(
        worker, _contact(worker, adult), contact_answers(), "adult-needs-assessment"
    )
    assessment = _next(contact, "adult-needs-assessment")
    answers = assessment_answers(
        eligible_needs=False,
        eligibility_reasons="Only one outcome cannot be achieved.",
        outcome="nfa_information",
    )
    assessment = step_save(
        actor=worker, step=assessment, answers=answers, expected_version=assessment.version
    )
    assert _offered(assessment) == [None]
    with pytest.raises(StepError, match="does not fit the answers given"):
        _complete(worker, assessment, answers, "adult-support-plan")

    assessment = step_authorise(
        actor=manager, step=_complete(worker, assessment, answers, None), comments="Agreed."
    )
    needs = NeedsAssessment.objects.get(person=adult)
    assert (needs.eligible_needs, needs.outcome) == (False, "nfa_information")
    episode = Episode.objects.get(person=adult)
    assert (episode.closed_on, episode.closure_reason) == (
        D(2026, 3, 25),
        "No further action after assessment",
    )
    assert not StepLink.objects.filter(from_step=assessment).exists()


def test_an_outcome_the_person_cannot_achieve_needs_its_detail(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    worker = users["allocated_worker"]
    contact = _complete(
        worker, _contact(worker, adult), contact_answers(), "adult-needs-assessment"
    )
    assessment = _next(contact, "adult-needs-assessment")
    answers = assessment_answers()
    del answers["nutrition_detail"]
    with pytest.raises(AnswersInvalid) as raised:
        _complete(worker, assessment, answers, "adult-support-plan")
    assert raised.value.errors == {
        "nutrition_detail": [
            "Enter how the person's needs affect managing and maintaining nutrition"
        ]
    }
    assessment.refresh_from_db()
    assert (assessment.status, assessment.answers) == ("planned", {})


def test_business_support_records_a_contact_closed_with_information_and_advice(
    pack: ImportResult, users: dict[str, User], adult: Person, team_a: Team
) -> None:
    support = users["business_support"]
    answers = contact_answers(
        route_of_access="community",
        who_is_asking="self",
        referrer_name="",
        referrer_relationship="",
        referrer_phone="",
        information_advice_topics=["equipment"],
        signposted_to="Leeds Community Equipment Service",
        outcome="nfa_information",
        outcome_reason="Wants a bath seat; given the equipment service's number.",
    )
    contact = _contact(support, adult, **answers)
    assert (contact.assignee, contact.team) == (support, team_a)
    assert _offered(contact) == [None]
    _complete(support, contact, answers, None)

    request = Request.objects.get(person=adult)
    assert (request.route_of_access, request.outcome) == ("community", "nfa_information")
    episode = Episode.objects.get(person=adult)
    assert (episode.closed_on, episode.closure_reason) == (
        D(2026, 3, 2),
        "No further action after contact",
    )
    assert _chronology(adult) == [(D(2026, 3, 2), "Contact", "Contact completed")]


def test_business_support_cannot_send_a_contact_on_to_an_assessment(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    support = users["business_support"]
    contact = _contact(support, adult)
    with pytest.raises(StepError, match="You cannot choose 'Care Act needs assessment': Only"):
        _complete(support, contact, contact_answers(), "adult-needs-assessment")
    contact.refresh_from_db()
    assert contact.status == "in_progress"
    assert not Request.objects.exists()


# -- carer's assessment -------------------------------------------------------------------------


def test_a_carer_goes_from_contact_to_a_carers_assessment_and_support_plan(
    pack: ImportResult, users: dict[str, User], adult: Person, carer: Person, team_a: Team
) -> None:
    worker = users["allocated_worker"]
    contact = step_start(
        actor=worker, step_type=_step_type("adult-contact"), person=carer, start=D(2026, 5, 5)
    )
    answers = contact_answers(
        contact_date="2026-05-05",
        client_type="carer",
        route_of_access="community",
        who_is_asking="self",
        referrer_name="",
        referrer_relationship="",
        referrer_phone="",
        presenting_need="Winston is struggling to keep caring for his wife.",
        outcome_date="2026-05-05",
    )
    contact = step_save(actor=worker, step=contact, answers=answers, expected_version=1)
    assert _offered(contact) == ["adult-carers-assessment"]
    contact = _complete(worker, contact, answers, "adult-carers-assessment")

    assessment = _next(contact, "adult-carers-assessment")
    assert (assessment.status, assessment.assignee, assessment.team) == ("planned", None, team_a)
    assert assessment.due_date == D(2026, 6, 2)
    assessment = _complete(
        worker, assessment, carers_assessment_answers(adult), "adult-support-plan"
    )
    assert assessment.status == "completed"  # a carer's assessment needs no authorisation

    row = CarerAssessment.objects.get(person=carer)
    assert (
        row.start_date,
        row.end_date,
        row.assessment_type,
        row.eligible_needs,
        row.method,
        row.outcome,
        row.hours_caring_per_week,
        row.adults_cared_for,
        row.request,
        row.step,
    ) == (
        D(2026, 5, 12),
        D(2026, 5, 20),
        "long_term",
        True,
        "carer",
        "progress_support_planning",
        Decimal("35.0"),
        1,
        Request.objects.get(person=carer),
        assessment,
    )
    assert list(row.cared_for.all()) == [adult]
    assert not CarerAssessment.objects.filter(person=adult).exists()

    carers_plan = _next(assessment, "adult-support-plan")
    assert (carers_plan.person, carers_plan.assignee, carers_plan.due_date) == (
        carer,
        worker,
        D(2026, 6, 17),
    )
    assert _chronology(carer) == [
        (D(2026, 5, 5), "Contact", "Contact completed"),
        (D(2026, 5, 20), "Carer's assessment", "Carer's assessment completed"),
    ]


def test_a_carers_assessment_with_no_eligible_needs_closes_the_episode(
    pack: ImportResult, users: dict[str, User], adult: Person, carer: Person
) -> None:
    worker = users["allocated_worker"]
    assessment = step_start(
        actor=worker,
        step_type=_step_type("adult-carers-assessment"),
        person=carer,
        start=D(2026, 5, 12),
    )
    # Started on its own, it counts from its own start.
    assert (assessment.status, assessment.due_date) == ("in_progress", D(2026, 6, 9))
    answers = carers_assessment_answers(
        adult,
        eligible_needs=False,
        support_offered=["information_advice", "carers_centre"],
        outcome="nfa_information",
    )
    del answers["carer_personal_budget"]
    assessment = step_save(
        actor=worker, step=assessment, answers=answers, expected_version=assessment.version
    )
    assert _offered(assessment) == [None]
    _complete(worker, assessment, answers, None)

    row = CarerAssessment.objects.get(person=carer)
    assert (row.eligible_needs, row.outcome, row.request) == (False, "nfa_information", None)
    episode = Episode.objects.get(person=carer)
    assert (episode.closed_on, episode.closure_reason) == (
        D(2026, 5, 20),
        "No further action after carer's assessment",
    )


# -- safeguarding ---------------------------------------------------------------------------


def _concern(support: User, adult: Person) -> Step:
    concern = step_start(
        actor=support,
        step_type=_step_type("adult-safeguarding-concern"),
        person=adult,
        start=D(2026, 12, 24),
    )
    return step_save(
        actor=support, step=concern, answers=concern_answers(), expected_version=concern.version
    )


def test_a_safeguarding_concern_goes_to_a_section_42_enquiry_and_an_outcome(
    pack: ImportResult, users: dict[str, User], adult: Person, team_a: Team
) -> None:
    support, worker, manager = (
        users["business_support"],
        users["allocated_worker"],
        users["team_manager"],
    )

    # Business support logs the concern on Christmas Eve: the decision is due in 2 working
    # days, which skip Christmas Day and Boxing Day (observed on Monday 28th).
    concern = _concern(support, adult)
    assert (concern.status, concern.assignee) == ("in_progress", support)
    assert concern.due_date == D(2026, 12, 30)
    answers = {**concern_answers(), **decision_answers()}
    with pytest.raises(StepError, match="You cannot choose 'Section 42 enquiry': Only"):
        _complete(support, concern, answers, "adult-s42-enquiry")
    concern = step_allocate(actor=support, step=concern, assignee=worker)

    # The practitioner it is allocated to records the decision; a manager authorises it.
    concern = step_save(actor=worker, step=concern, answers=answers, expected_version=3)
    assert _offered(concern) == ["adult-s42-enquiry"]
    concern = _complete(worker, concern, answers, "adult-s42-enquiry")
    assert concern.status == "awaiting_authorisation"
    assert not SafeguardingConcern.objects.exists()
    concern = step_authorise(actor=manager, step=concern, comments="Agree: section 42.")
    row = SafeguardingConcern.objects.get(person=adult)
    assert (
        row.received_date,
        row.source,
        row.abuse_types,
        row.location,
        row.source_of_risk,
        row.decision_date,
        row.decision,
        row.step,
    ) == (
        D(2026, 12, 24),
        "family",
        ["psychological", "financial"],
        "own_home",
        "known",
        D(2026, 12, 29),
        "s42",
        concern,
    )

    # The enquiry waits in the team's tray, 20 working days from the concern.
    enquiry = _next(concern, "adult-s42-enquiry")
    assert (enquiry.status, enquiry.assignee, enquiry.team) == ("planned", None, team_a)
    assert enquiry.due_date == D(2027, 1, 26)
    enquiry = _complete(worker, enquiry, enquiry_answers(), "adult-safeguarding-outcome")
    assert enquiry.status == "completed"
    s42 = S42Enquiry.objects.get(person=adult)
    assert (
        s42.concern,
        s42.start_date,
        s42.end_date,
        s42.risk_assessment_outcome,
        s42.risk_outcome,
        s42.outcomes_expressed,
        s42.outcomes_achieved,
        s42.step,
        s42.ended_by_step,
    ) == (
        row,
        D(2026, 12, 30),
        D(2027, 2, 12),
        "risk_action_taken",
        "reduced",
        True,
        "partially",
        enquiry,
        enquiry,
    )

    # The outcome is signed off by the manager, and closes the episode.
    outcome = _next(enquiry, "adult-safeguarding-outcome")
    assert (outcome.assignee, outcome.due_date) == (worker, D(2027, 2, 19))
    outcome = _complete(worker, outcome, safeguarding_outcome_answers(), None)
    assert outcome.status == "awaiting_authorisation"
    assert Episode.objects.get(person=adult).closed_on is None
    step_authorise(actor=manager, step=outcome)
    episode = Episode.objects.get(person=adult)
    assert (episode.workflow.code, episode.closed_on, episode.closure_reason) == (
        "adult-safeguarding",
        D(2027, 2, 18),
        "Safeguarding enquiry concluded",
    )
    assert _chronology(adult) == [
        (D(2026, 12, 24), "Safeguarding", "Safeguarding concern completed"),
        (D(2027, 2, 12), "Safeguarding", "Section 42 enquiry completed"),
        (D(2027, 2, 18), "Safeguarding", "Safeguarding outcome completed"),
    ]


def test_a_concern_needing_no_enquiry_closes_the_episode_once_authorised(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    concern = step_start(
        actor=worker,
        step_type=_step_type("adult-safeguarding-concern"),
        person=adult,
        start=D(2026, 12, 24),
    )
    answers = {
        **concern_answers(),
        **decision_answers(
            unable_to_protect=False,
            decision="no_enquiry",
            decision_reason="She is able to protect herself and has asked for advice only.",
            other_action=["information_advice", "review"],
        ),
    }
    concern = step_save(actor=worker, step=concern, answers=answers, expected_version=1)
    assert _offered(concern) == [None]
    step_authorise(actor=manager, step=_complete(worker, concern, answers, None))

    row = SafeguardingConcern.objects.get(person=adult)
    assert (row.decision, row.decision_date) == ("no_enquiry", D(2026, 12, 29))
    assert not S42Enquiry.objects.exists()
    episode = Episode.objects.get(person=adult)
    assert (episode.closed_on, episode.closure_reason) == (
        D(2026, 12, 24),
        "No further safeguarding action",
    )


def test_an_other_enquiry_writes_no_section_42_enquiry(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    concern = step_start(
        actor=worker,
        step_type=_step_type("adult-safeguarding-concern"),
        person=adult,
        start=D(2026, 12, 24),
    )
    answers = {
        **concern_answers(),
        **decision_answers(has_care_needs=False, decision="other_enquiry"),
    }
    concern = step_authorise(
        actor=manager, step=_complete(worker, concern, answers, "adult-other-enquiry")
    )
    enquiry = _next(concern, "adult-other-enquiry")
    assert enquiry.form_version.form.code == "adult-safeguarding-enquiry"
    _complete(worker, enquiry, enquiry_answers(), "adult-safeguarding-outcome")
    assert SafeguardingConcern.objects.get(person=adult).decision == "other_enquiry"
    assert not S42Enquiry.objects.exists()


# -- Deprivation of Liberty Safeguards -----------------------------------------------------------


def test_a_dols_request_is_assessed_decided_and_authorised(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    request = step_start(
        actor=worker,
        step_type=_step_type("adult-dols-request"),
        person=adult,
        start=D(2026, 8, 3),
    )
    assert request.due_date == D(2026, 8, 24)  # 21 calendar days for a standard authorisation
    request = _complete(worker, request, dols_answers(), None)
    assert request.status == "awaiting_authorisation"
    assert not DoLSApplication.objects.exists()
    step_authorise(actor=manager, step=request, comments="Signed as supervisory body.")

    application = DoLSApplication.objects.get(person=adult)
    assert (
        application.received_date,
        application.kind,
        application.managing_authority,
        application.decision,
        application.decision_date,
        application.granted_from,
        application.granted_until,
    ) == (
        D(2026, 8, 3),
        "urgent",
        "Beechwood Care Home",
        "granted",
        D(2026, 8, 10),
        D(2026, 8, 10),
        D(2027, 2, 9),
    )
    episode = Episode.objects.get(person=adult)
    assert (episode.workflow.code, episode.closed_on, episode.closure_reason) == (
        "adult-dols",
        D(2026, 8, 10),
        "DoLS request decided",
    )
    assert _chronology(adult) == [
        (D(2026, 8, 10), "Deprivation of Liberty Safeguards", "DoLS request completed")
    ]


def test_a_dols_request_not_granted_names_the_requirements_not_met(
    pack: ImportResult, users: dict[str, User], adult: Person
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    request = step_start(
        actor=worker, step_type=_step_type("adult-dols-request"), person=adult, start=D(2026, 8, 3)
    )
    answers = dols_answers(authorisation_type="standard", decision="not_granted")
    for key in ("urgent_authorisation_date", "urgent_extension_requested", "granted_from"):
        del answers[key]
    del answers["granted_until"], answers["conditions"], answers["representative_name"]
    with pytest.raises(AnswersInvalid) as raised:
        _complete(worker, request, answers, None)
    assert raised.value.errors == {
        "requirements_not_met": ["Select qualifying requirements not met"]
    }

    answers["requirements_not_met"] = ["best_interests"]
    step_authorise(actor=manager, step=_complete(worker, request, answers, None))
    application = DoLSApplication.objects.get(person=adult)
    assert (application.kind, application.decision, application.granted_until) == (
        "standard",
        "not_granted",
        None,
    )
