"""The shipped children's services pack: it imports cleanly and takes a child through the law.

Each walk drives the step services directly on fixed dates (the clock is set to the day
each piece of work happens), and checks the due dates the statutory timescales give, the
facts rows each step writes, the chronology and the closure of the episode.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casemgmt.models import User
from clients.models import ChronologyEntry, Person
from workflows.models import (
    Assessment,
    CarePeriod,
    ChildProtectionConference,
    CINPlan,
    Contact,
    CPPlan,
    Episode,
    LegalStatus,
    LookedAfterReview,
    MissingEpisode,
    Placement,
    Referral,
    S47Enquiry,
    Step,
    StepLink,
    StepType,
    StrategyDiscussion,
    Transition,
    UASCStatus,
)
from workflows.packs import ImportResult, pack_import
from workflows.permissions import can_start_step_type
from workflows.services import (
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

PACK = Path(__file__).resolve().parents[2] / "workflows" / "packs" / "childrens.yaml"

D = datetime.date


class Clock:
    """Sets "now" to mid-morning on a given day, so work is done on the day it happened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, day: datetime.date) -> None:
        moment = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC)
        self.monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def pack(users: dict[str, User]) -> ImportResult:
    return pack_import(actor=None, text=PACK.read_text(), filename="childrens.yaml")


# -- helpers ---------------------------------------------------------------------------------


def _transition(step: Step, to: str | None, closure_reason: str = "") -> Transition:
    """The next action of the step's type leading to `to` (None: no further action)."""
    for transition in step.step_type.transitions.select_related("to_step_type"):
        target = transition.to_step_type.code if transition.to_step_type else None
        if target == to and (to is not None or transition.closure_reason == closure_reason):
            return transition
    raise AssertionError(f"{step.step_type.code} has no next action to {to or closure_reason}")


def _complete(actor: User, step: Step, answers: dict[str, Any], *to: str) -> Step:
    """Complete with next actions to the named step types."""
    return step_complete(
        actor=actor,
        step=step,
        answers=answers,
        expected_version=step.version,
        next_actions=[NextAction(_transition(step, code).pk) for code in to],
    )


def _close(actor: User, step: Step, answers: dict[str, Any], closure_reason: str) -> Step:
    """Complete with the no further action that records `closure_reason`."""
    return step_complete(
        actor=actor,
        step=step,
        answers=answers,
        expected_version=step.version,
        next_actions=[NextAction(_transition(step, None, closure_reason).pk)],
    )


def _next(step: Step, code: str) -> Step:
    """The step of type `code` started as a next action of `step`."""
    return (
        StepLink.objects.select_related("to_step")
        .get(from_step=step, to_step__step_type__code=code)
        .to_step
    )


def _offered(step: Step, answers: dict[str, Any]) -> list[str]:
    """What the step offers as next actions for these answers."""
    step.answers = answers
    return [
        t.to_step_type.code if t.to_step_type else f"close:{t.closure_reason}"
        for t in offered_actions(step)
    ]


def _chronology(person: Person) -> list[tuple[datetime.date, str, str]]:
    return list(
        ChronologyEntry.objects.filter(person=person)
        .order_by("event_date", "id")
        .values_list("event_date", "category", "summary")
    )


def _rows(model: Any, person: Person, *fields: str) -> list[tuple[Any, ...]]:
    """The person's fact rows of a kind, oldest first, with the step type that wrote each."""
    return list(
        model.objects.filter(person=person)
        .order_by("id")
        .values_list("step__step_type__code", *fields)
    )


# -- answers a practitioner would give ------------------------------------------------------


def contact_answers(**changes: Any) -> dict[str, Any]:
    return {
        "contact_date": "2026-11-30",
        "contact_time": "09:15",
        "contact_method": "phone",
        "referrer_name": "Mrs Anita Patel",
        "referrer_relationship": "Class teacher",
        "referrer_organisation": "Hillside Primary School",
        "referrer_phone": "0113 496 0000",
        "referral_source": "2A",
        "referrer_agrees_to_be_named": True,
        "contact_reason": "safeguarding",
        "presenting_concerns": "Jayden has come to school hungry and in the same clothes all week.",
        "immediate_risk": False,
        "child_aware": True,
        "parents_aware": True,
        "consent": "given",
        "mash_checks": [
            {
                "agency": "police",
                "requested_on": "2026-11-30",
                "received_on": "2026-11-30",
                "information_held": True,
                "summary": "Two domestic incidents at the address in 2026.",
            },
            {"agency": "health-gp", "requested_on": "2026-11-30", "information_held": False},
        ],
        "previous_involvement": False,
        "rag_rating": "amber",
        "significant_harm_suspected": False,
        "decision": "referral",
        "decision_date": "2026-11-30",
        "decision_rationale": "Possible neglect, with domestic abuse known to the police.",
        **changes,
    }


def referral_answers(**changes: Any) -> dict[str, Any]:
    return {
        "referral_date": "2026-12-01",
        "referral_source": "2A",
        "primary_need": "N1",
        "referral_reason": "Concerns of neglect; domestic abuse in the household.",
        "re_referral": False,
        "household_members": [
            {
                "name": "Kerry Whitmore",
                "relationship": "Mother",
                "date_of_birth": "1990-06-02",
                "parental_responsibility": True,
            },
            {"name": "Dean Hollis", "relationship": "Mother's partner"},
        ],
        "professionals": [
            {"professional_name": "Anita Patel", "agency": "education", "role": "Class teacher"}
        ],
        "interpreter_needed": False,
        "significant_harm": False,
        "decision": "assessment",
        "decision_rationale": "Needs are unclear: a child and family assessment is needed.",
        **changes,
    }


def assessment_answers(**changes: Any) -> dict[str, Any]:
    return {
        "assessment_start_date": "2026-12-02",
        "child_seen": True,
        "child_seen_date": "2026-12-03",
        "child_seen_alone": True,
        "visits": [
            {
                "date": "2026-12-03",
                "kind": "home",
                "present": "Jayden and his mother",
                "summary": "Little food in the house; Jayden's bedroom has no bedding.",
            }
        ],
        "developmental_needs_summary": "Jayden is underweight and often tired at school.",
        "parenting_capacity_summary": "Ms Whitmore loves Jayden but struggles with basic care.",
        "family_environment_summary": "Rent arrears; Mr Hollis is controlling and violent.",
        "childs_views": "Jayden said he is scared when Dean shouts and that Dean hit him.",
        "analysis": "Jayden's disclosure of being hit gives reasonable cause to suspect harm.",
        "factors": ["18B", "3A", "3B"],
        "primary_need": "N1",
        "significant_harm": True,
        "outcome": "section_47",
        "outcome_reasons": "Disclosure of physical abuse by an adult in the household.",
        "completion_date": "2026-12-10",
        "family_informed": True,
        **changes,
    }


def strategy_answers(**changes: Any) -> dict[str, Any]:
    return {
        "strategy_date": "2026-12-11",
        "strategy_time": "10:00",
        "format": "video",
        "chair": "Tina Manager",
        "participants": [
            {"name": "DC Sarah Lowe", "agency": "police", "role": "Child abuse investigation"},
            {"name": "Anita Patel", "agency": "education", "role": "Designated safeguarding lead"},
        ],
        "reason": "Jayden disclosed that his mother's partner hit him.",
        "information_shared": "Police hold two domestic incidents; school notes bruising.",
        "s47_required": True,
        "enquiry_type": "joint",
        "criminal_investigation": True,
        "medical_needed": False,
        "rationale": "Threshold for a section 47 enquiry is met.",
        **changes,
    }


def s47_answers(**changes: Any) -> dict[str, Any]:
    return {
        "s47_start_date": "2026-12-11",
        "enquiry_type": "joint",
        "strategy_outcome": "Joint enquiry with the police; Mr Hollis to leave the home.",
        "child_seen": True,
        "child_seen_date": "2026-12-14",
        "child_seen_alone": True,
        "people_seen": [
            {"name": "Kerry Whitmore", "relationship": "Mother", "seen_on": "2026-12-14"},
            {"name": "Dean Hollis", "relationship": "Mother's partner", "seen_on": "2026-12-15"},
        ],
        "medical_done": False,
        "findings": "Jayden repeated his account; Mr Hollis denies it.",
        "childs_views": "Jayden wants Dean to stay away.",
        "concerns_substantiated": "substantiated",
        "suspected_category": "PHY",
        "outcome": "icpc",
        "outcome_date": "2026-12-18",
        "outcome_rationale": "Likely to suffer significant harm: conference needed.",
        **changes,
    }


def icpc_answers(**changes: Any) -> dict[str, Any]:
    return {
        "conference_date": "2027-01-05",
        "chair": "Robin Hale, independent chair",
        "attendees": [
            {"name": "Kerry Whitmore", "role": "Mother", "attendance": "attended"},
            {
                "name": "DC Sarah Lowe",
                "role": "Police",
                "agency": "police",
                "attendance": "report",
            },
        ],
        "parents_attended": True,
        "child_participation": "social_worker",
        "childs_views": "Jayden wants to stay with his mum.",
        "concerns": "Physical harm from the mother's partner; neglect of basic care.",
        "risks": "Risk continues while Mr Hollis visits.",
        "plan_needed": True,
        "category_of_abuse": "PHY",
        "recommendations": "Child protection plan; core group within 10 working days.",
        "outline_plan": "No contact with Mr Hollis; parenting support; school monitoring.",
        "dissent": False,
        "first_core_group_date": "2027-01-15",
        **changes,
    }


def cp_plan_answers(**changes: Any) -> dict[str, Any]:
    return {
        "plan_start_date": "2027-01-05",
        "category_of_abuse": "PHY",
        "lead_social_worker": "Alice Worker",
        "core_group": [
            {"name": "Kerry Whitmore", "agency": "Mother"},
            {"name": "Anita Patel", "agency": "Hillside Primary School", "role": "DSL"},
        ],
        "first_core_group_date": "2027-01-15",
        "plan_outcomes": [
            {
                "need": "Jayden is safe from physical harm.",
                "outcome": "No contact with Mr Hollis.",
                "responsible": "Kerry Whitmore",
                "by_when": "2027-02-01",
            }
        ],
        "visit_frequency": "ten_working_days",
        "contingency_plan": "Legal planning meeting if Mr Hollis returns.",
        **changes,
    }


def cp_review_answers(**changes: Any) -> dict[str, Any]:
    return {
        "review_date": "2027-04-01",
        "chair": "Robin Hale, independent chair",
        "child_participation": "written",
        "progress": "Mr Hollis has moved out; food and clothing are better.",
        "risks": "Mr Hollis has been seen at the house twice.",
        "plan_continues": True,
        "latest_category": "EMO",
        "recommendations": "Plan continues under emotional abuse.",
        "dissent": False,
        **changes,
    }


def closure_answers(**changes: Any) -> dict[str, Any]:
    return {
        "closure_date": "2026-12-15",
        "reason_for_closure": "RC8",
        "referral_nfa": False,
        "closure_summary": "Assessment found needs met by universal services.",
        "child_informed": True,
        "family_informed": True,
        **changes,
    }


def entering_care_answers(**changes: Any) -> dict[str, Any]:
    return {
        "date_started_care": "2027-03-01",
        "legal_status": "C1",
        "category_of_need": "N1",
        "court": "Family Court at Leeds",
        "court_case_number": "LS27C00123",
        "unaccompanied_asylum_seeking": False,
        "reason_for_care": "Interim care order after Mr Hollis returned to the home.",
        "placement_type": "U6",
        "placement_provider": "PR1",
        "carer_name": "Mr and Mrs Hughes",
        "placement_postcode": "LS6 2AB",
        "home_postcode": "LS9 7QT",
        "placed_with_siblings": False,
        "placement_plan_agreed": True,
        "care_plan_summary": "Assessment of the mother; contact three times a week.",
        "permanence_plan": "to_be_decided",
        "notifications": ["virtual_school", "iro"],
        **changes,
    }


def placement_change_answers(**changes: Any) -> dict[str, Any]:
    return {
        "change_date": "2027-03-22",
        "reason_for_change": "CREQB",
        "reason_details": "The carers asked for Jayden to move after repeated aggression.",
        "planned_move": False,
        "same_carer": False,
        "legal_status_changed": False,
        "placement_type": "K2",
        "placement_provider": "PR4",
        "carer_name": "Oakfield House",
        "urn": "SC484848",
        "placement_postcode": "BD7 1DP",
        "school_change": False,
        "iro_informed": True,
        **changes,
    }


def cla_review_answers(**changes: Any) -> dict[str, Any]:
    return {
        "review_date": "2027-03-30",
        "iro_name": "Priya Shah",
        "participation": "PN1",
        "progress": "Settling at Oakfield House; mother engaging with the assessment.",
        "placement_meets_needs": True,
        "health_assessment_up_to_date": True,
        "pep_up_to_date": True,
        "permanence_plan": "return_home",
        "recommendations": "Plan for Jayden to return home to his mother.",
        "iro_concerns": False,
        "outcome": "leave_care",
        **changes,
    }


def leaving_care_answers(**changes: Any) -> dict[str, Any]:
    return {
        "date_ceased": "2027-06-14",
        "reason_ceased": "E4A",
        "where_living": "At home with his mother.",
        "care_leaver_status": "not_care_leaver",
        "support_arrangements": "Child in need support for three months.",
        **changes,
    }


def missing_answers(**changes: Any) -> dict[str, Any]:
    return {
        "missing_type": "M",
        "missing_start_date": "2027-03-12",
        "missing_start_time": "19:30",
        "returned_date": "2027-03-13",
        "returned_time": "02:10",
        "reported_to_police": True,
        "police_reference": "WY-2027-03-1234",
        "circumstances": "Did not come back from the shop.",
        "where_found": "Found by police at a friend's flat.",
        "risk_level": "medium",
        "exploitation_concerns": False,
        "return_interview_offered": True,
        **changes,
    }


def return_interview_answers(**changes: Any) -> dict[str, Any]:
    return {
        "offered_date": "2027-03-14",
        "accepted": True,
        "interview_date": "2027-03-15",
        "interviewer": "Sam Rivers, missing children's service",
        "independent": True,
        "where_child_was": "At a friend's flat, playing computer games.",
        "push_factors": "Misses his mum.",
        "significant_harm": False,
        "information_shared_with": ["social_worker", "carer"],
        "actions": "Extra contact with his mother at weekends.",
        **changes,
    }


# -- the pack itself -------------------------------------------------------------------------


def test_the_pack_imports_cleanly_and_a_second_import_changes_nothing(
    pack: ImportResult, users: dict[str, User]
) -> None:
    assert (pack.created["code list"], pack.created["form"], pack.created["step type"]) == (
        17,
        20,
        24,
    )
    again = pack_import(actor=None, text=PACK.read_text(), filename="childrens.yaml")
    assert not again.changed

    entry_points = set(StepType.objects.filter(is_entry_point=True).values_list("code", flat=True))
    assert entry_points == {"child-contact", "entering-care"}
    contact = StepType.objects.get(code="child-contact")
    referral = StepType.objects.get(code="child-referral")
    assert can_start_step_type(users["business_support"], contact) == (True, "")
    allowed, reason = can_start_step_type(users["business_support"], referral)
    assert not allowed
    assert "referral" in reason
    assert StepType.objects.filter(default_team__isnull=False).count() == 0
    assert not StepType.objects.filter(event_date_field="").exists()


# -- contact to the first child protection review ------------------------------------------


def test_a_child_from_contact_to_the_first_child_protection_review(
    pack: ImportResult, users: dict[str, User], person: Person, clock: Clock
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]

    # Business support logs the contact; a social worker makes the decision.
    support = users["business_support"]
    clock.set(D(2026, 11, 30))
    contact = step_start(
        actor=support,
        step_type=StepType.objects.get(code="child-contact"),
        person=person,
        start=D(2026, 11, 30),
    )
    assert (contact.status, contact.due_date) == (Step.Status.IN_PROGRESS, D(2026, 12, 1))
    partial = {k: v for k, v in contact_answers().items() if k.startswith(("contact_", "refer"))}
    contact = step_save(actor=support, step=contact, answers=partial, expected_version=1)
    with pytest.raises(StepError, match="Only"):
        _complete(support, contact, contact_answers(), "child-referral")
    contact = step_allocate(actor=support, step=contact, assignee=worker)
    assert _offered(contact, contact_answers()) == ["child-referral"]
    assert _offered(contact, contact_answers(significant_harm_suspected=True)) == [
        "child-referral",
        "strategy-discussion",
    ]
    contact = _complete(worker, contact, contact_answers(), "child-referral")
    assert (contact.status, contact.event_date) == (Step.Status.COMPLETED, D(2026, 11, 30))
    assert _rows(Contact, person, "contact_date", "source", "reason", "outcome") == [
        ("child-contact", D(2026, 11, 30), "2A", "safeguarding", "referral")
    ]

    # The referral waits in the team's tray, due the working day after the contact.
    referral = _next(contact, "child-referral")
    assert (referral.status, referral.assignee_id, referral.team.code) == (
        Step.Status.PLANNED,
        None,
        "assessment-north",
    )
    assert referral.due_date == D(2026, 12, 1)
    clock.set(D(2026, 12, 1))
    referral = _complete(worker, referral, referral_answers(), "child-and-family-assessment")
    assert _rows(Referral, person, "referral_date", "source", "primary_need", "closure_date") == [
        ("child-referral", D(2026, 12, 1), "2A", "N1", None)
    ]
    assert Referral.objects.get().contact == Contact.objects.get()

    # 45 working days from a referral on 1 December 2026, over Christmas and New Year.
    assessment = _next(referral, "child-and-family-assessment")
    assert assessment.assignee_id == worker.pk
    assert assessment.due_date == D(2027, 2, 5)
    no_harm = assessment_answers(significant_harm=False, outcome="cin_plan")
    assert _offered(assessment, no_harm) == ["cin-plan"]
    assert _offered(assessment, assessment_answers()) == ["strategy-discussion"]
    clock.set(D(2026, 12, 10))
    assessment = _complete(worker, assessment, assessment_answers(), "strategy-discussion")
    assert assessment.status == Step.Status.AWAITING_AUTHORISATION
    assert not StepLink.objects.filter(from_step=assessment).exists()
    assert not Assessment.objects.exists()
    assessment = step_authorise(actor=manager, step=assessment, comments="Agreed: strategy.")
    assert (assessment.status, assessment.event_date) == (Step.Status.COMPLETED, D(2026, 12, 10))
    assert _rows(Assessment, person, "start_date", "authorisation_date", "factors") == [
        ("child-and-family-assessment", D(2026, 12, 2), D(2026, 12, 10), ["3A", "3B", "18B"])
    ]

    strategy = _next(assessment, "strategy-discussion")
    assert strategy.due_date == D(2026, 12, 11)
    clock.set(D(2026, 12, 11))
    strategy = _complete(worker, strategy, strategy_answers(), "section-47-enquiry")
    assert _rows(StrategyDiscussion, person, "discussion_date", "s47_required") == [
        ("strategy-discussion", D(2026, 12, 11), True)
    ]

    s47 = _next(strategy, "section-47-enquiry")
    assert s47.due_date == D(2026, 12, 29)
    clock.set(D(2026, 12, 18))
    s47 = _complete(worker, s47, s47_answers(), "initial-cp-conference")
    s47 = step_authorise(actor=manager, step=s47)
    assert _rows(
        S47Enquiry,
        person,
        "start_date",
        "end_date",
        "outcome",
        "icpc_not_required",
        "icpc_target_date",
    ) == [("section-47-enquiry", D(2026, 12, 11), D(2026, 12, 18), "icpc", False, D(2027, 1, 6))]

    # 15 working days from the strategy discussion, skipping three bank holidays.
    icpc = _next(s47, "initial-cp-conference")
    assert (icpc.due_date, icpc.assignee_id) == (D(2027, 1, 6), None)
    clock.set(D(2027, 1, 5))
    icpc = _complete(worker, icpc, icpc_answers(), "child-protection-plan")

    plan = _next(icpc, "child-protection-plan")
    assert plan.due_date == D(2027, 1, 19)
    clock.set(D(2027, 1, 15))
    plan = _complete(worker, plan, cp_plan_answers(), "cp-first-review")

    # The first review within three months of the initial conference, then every six.
    first_review = _next(plan, "cp-first-review")
    assert first_review.due_date == D(2027, 4, 5)
    clock.set(D(2027, 4, 1))
    first_review = _complete(worker, first_review, cp_review_answers(), "cp-review")
    review = _next(first_review, "cp-review")
    assert (review.status, review.due_date) == (Step.Status.PLANNED, D(2027, 10, 1))

    assert _rows(
        ChildProtectionConference, person, "kind", "conference_date", "plan_required", "category"
    ) == [
        ("initial-cp-conference", "initial", D(2027, 1, 5), True, "PHY"),
        ("cp-first-review", "review", D(2027, 4, 1), True, "EMO"),
    ]
    assert _rows(
        CPPlan, person, "start_date", "end_date", "initial_category", "latest_category"
    ) == [("initial-cp-conference", D(2027, 1, 5), None, "PHY", "EMO")]
    plan_row = CPPlan.objects.get()
    assert plan_row.referral == Referral.objects.get()
    assert ChildProtectionConference.objects.get(kind="review").cp_plan == plan_row
    assert Referral.objects.get().closure_date is None

    episode = Episode.objects.get(person=person)
    assert episode.workflow.code == "children-in-need"
    assert (episode.opened_on, episode.closed_on) == (D(2026, 11, 30), None)
    assert _chronology(person) == [
        (D(2026, 11, 30), "Contact", "Contact completed"),
        (D(2026, 12, 1), "Referral", "Referral completed"),
        (D(2026, 12, 10), "Assessment", "Child and family assessment completed"),
        (D(2026, 12, 11), "Child protection", "Strategy discussion completed"),
        (D(2026, 12, 18), "Child protection", "Section 47 enquiry completed"),
        (D(2027, 1, 5), "Child protection", "Initial child protection conference completed"),
        (D(2027, 1, 5), "Child protection", "Child protection plan completed"),
        (
            D(2027, 4, 1),
            "Child protection",
            "First child protection review conference completed",
        ),
    ]


def test_a_child_in_need_plan_ends_at_review_before_the_case_closes(
    pack: ImportResult, users: dict[str, User], person: Person, clock: Clock
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    clock.set(D(2026, 11, 30))
    contact = step_start(
        actor=worker,
        step_type=StepType.objects.get(code="child-contact"),
        person=person,
        start=D(2026, 11, 30),
    )
    contact = _complete(worker, contact, contact_answers(), "child-referral")
    clock.set(D(2026, 12, 1))
    referral = _complete(
        worker, _next(contact, "child-referral"), referral_answers(), "child-and-family-assessment"
    )
    clock.set(D(2026, 12, 10))
    answers = assessment_answers(significant_harm=False, outcome="cin_plan", factors=["3B"])
    assessment = _complete(
        worker, _next(referral, "child-and-family-assessment"), answers, "cin-plan"
    )
    assessment = step_authorise(actor=manager, step=assessment)

    plan = _next(assessment, "cin-plan")
    assert plan.due_date == D(2026, 12, 24)
    clock.set(D(2026, 12, 17))
    plan_answers = {
        "plan_start_date": "2026-12-17",
        "lead_professional": "Alice Worker",
        "plan_outcomes": [{"need": "Regular meals", "outcome": "Jayden eats breakfast daily"}],
        "childs_views": "Jayden would like breakfast club.",
        "visit_frequency": "four_weeks",
    }
    plan = _complete(worker, plan, plan_answers, "cin-review")
    review = _next(plan, "cin-review")
    assert review.due_date == D(2027, 3, 17)

    review_answers = {
        "review_date": "2027-03-10",
        "progress": "Attendance and weight are good.",
        "childs_views": "Jayden is happy at breakfast club.",
        "decision": "close",
        "plan_ends": True,
        "plan_end_date": "2027-03-10",
        "rationale": "Outcomes met.",
    }
    assert _offered(review, review_answers) == ["child-case-closure"]
    clock.set(D(2027, 3, 10))
    review = _complete(worker, review, review_answers, "child-case-closure")
    assert _rows(CINPlan, person, "start_date", "end_date") == [
        ("cin-plan", D(2026, 12, 17), D(2027, 3, 10))
    ]

    closure = _next(review, "child-case-closure")
    answers = closure_answers(closure_date="2027-03-12", reason_for_closure="RC7")
    clock.set(D(2027, 3, 12))
    closure = _close(worker, closure, answers, "RC7")
    step_authorise(actor=manager, step=closure)
    assert _rows(Referral, person, "closure_date", "closure_reason", "no_further_action") == [
        ("child-referral", D(2027, 3, 12), "RC7", False)
    ]
    episode = Episode.objects.get(person=person)
    assert (episode.closed_on, episode.closure_reason) == (D(2027, 3, 12), "RC7")


# -- no further action -----------------------------------------------------------------------


def test_a_contact_with_no_further_action_closes_the_episode(
    pack: ImportResult, users: dict[str, User], person: Person, clock: Clock
) -> None:
    worker = users["allocated_worker"]
    clock.set(D(2026, 11, 30))
    contact = step_start(
        actor=worker,
        step_type=StepType.objects.get(code="child-contact"),
        person=person,
        start=D(2026, 11, 30),
    )
    answers = contact_answers(decision="nfa", nfa_reason="Parents already working with school.")
    reason = "Contact closed with no further action"
    assert _offered(contact, answers) == [f"close:{reason}"]
    _close(worker, contact, answers, reason)
    episode = Episode.objects.get(person=person)
    assert (episode.closed_on, episode.closure_reason) == (D(2026, 11, 30), reason)
    assert _rows(Contact, person, "contact_date", "outcome") == [
        ("child-contact", D(2026, 11, 30), "nfa")
    ]
    assert not Referral.objects.exists()


def test_no_further_action_after_assessment_closes_the_episode_with_the_census_reason(
    pack: ImportResult, users: dict[str, User], person: Person, clock: Clock
) -> None:
    worker, manager = users["allocated_worker"], users["team_manager"]
    clock.set(D(2026, 11, 30))
    contact = step_start(
        actor=worker,
        step_type=StepType.objects.get(code="child-contact"),
        person=person,
        start=D(2026, 11, 30),
    )
    contact = _complete(worker, contact, contact_answers(), "child-referral")
    clock.set(D(2026, 12, 1))
    referral = _complete(
        worker, _next(contact, "child-referral"), referral_answers(), "child-and-family-assessment"
    )
    assessment = _next(referral, "child-and-family-assessment")
    answers = assessment_answers(
        significant_harm=False, outcome="nfa", factors=["21"], primary_need="N9"
    )
    clock.set(D(2026, 12, 10))
    assessment = _complete(worker, assessment, answers, "child-case-closure")
    assessment = step_authorise(actor=manager, step=assessment)
    assert _rows(Assessment, person, "factors") == [("child-and-family-assessment", ["21"])]
    assert Referral.objects.get().primary_need == "N9"

    closure = _next(assessment, "child-case-closure")
    assert closure.due_date == D(2026, 12, 17)
    assert _offered(closure, closure_answers()) == ["close:RC8"]
    with pytest.raises(StepError, match="does not fit the answers"):
        _close(worker, closure, closure_answers(), "RC9")
    clock.set(D(2026, 12, 15))
    closure = _close(worker, closure, closure_answers(), "RC8")
    assert Episode.objects.get(person=person).closed_on is None
    assert Referral.objects.get().closure_date is None
    step_authorise(actor=manager, step=closure, comments="Agreed to close.")

    episode = Episode.objects.get(person=person)
    assert (episode.closed_on, episode.closure_reason) == (D(2026, 12, 15), "RC8")
    assert _rows(Referral, person, "closure_date", "closure_reason", "no_further_action") == [
        ("child-referral", D(2026, 12, 15), "RC8", False)
    ]
    assert _chronology(person)[-1] == (D(2026, 12, 15), "Case closure", "Case closure completed")


# -- looked after ----------------------------------------------------------------------------


def test_a_child_becomes_looked_after_moves_placement_goes_missing_and_leaves_care(
    pack: ImportResult, users: dict[str, User], person: Person, clock: Clock
) -> None:
    worker, manager, senior = (
        users["allocated_worker"],
        users["team_manager"],
        users["senior_manager"],
    )
    clock.set(D(2027, 3, 1))
    entering = step_start(
        actor=worker,
        step_type=StepType.objects.get(code="entering-care"),
        person=person,
        start=D(2027, 3, 1),
    )
    assert entering.due_date == D(2027, 3, 2)
    entering = _complete(
        worker,
        entering,
        entering_care_answers(),
        "cla-first-review",
        "placement-change",
        "missing-episode",
    )
    with pytest.raises(StepError, match="senior manager"):
        step_authorise(actor=manager, step=entering)
    entering = step_authorise(actor=senior, step=entering, comments="Agreed.")
    assert _rows(CarePeriod, person, "start_date", "category_of_need", "end_date") == [
        ("entering-care", D(2027, 3, 1), "N1", None)
    ]
    assert not UASCStatus.objects.exists()

    # The first review within 20 working days of coming into care, over Easter.
    first_review = _next(entering, "cla-first-review")
    assert first_review.due_date == D(2027, 3, 31)

    # The return interview is due within 72 hours of the child coming back.
    clock.set(D(2027, 3, 13))
    missing = _complete(
        worker, _next(entering, "missing-episode"), missing_answers(), "return-interview"
    )
    assert _rows(
        MissingEpisode, person, "kind", "start_date", "end_date", "return_interview_offered"
    ) == [("missing-episode", "M", D(2027, 3, 12), D(2027, 3, 13), True)]
    assert MissingEpisode.objects.get().care_period == CarePeriod.objects.get()
    interview = _next(missing, "return-interview")
    assert interview.due_date == D(2027, 3, 16)
    assert _offered(interview, return_interview_answers()) == []
    clock.set(D(2027, 3, 15))
    interview = _complete(worker, interview, return_interview_answers())
    assert interview.status == Step.Status.COMPLETED

    # A placement change with nothing else to record completes on its own.
    change = _next(entering, "placement-change")
    assert change.due_date == D(2027, 3, 2)
    assert _offered(change, placement_change_answers()) == []
    clock.set(D(2027, 3, 22))
    change = _complete(worker, change, placement_change_answers())
    assert change.status == Step.Status.COMPLETED

    clock.set(D(2027, 3, 30))
    first_review = _complete(worker, first_review, cla_review_answers(), "leaving-care")
    assert _rows(LookedAfterReview, person, "review_date", "participation") == [
        ("cla-first-review", D(2027, 3, 30), "PN1")
    ]
    leaving = _next(first_review, "leaving-care")
    assert _offered(leaving, leaving_care_answers()) == ["child-case-closure"]
    clock.set(D(2027, 6, 14))
    leaving = _complete(worker, leaving, leaving_care_answers(), "child-case-closure")
    assert CarePeriod.objects.get().end_date is None
    leaving = step_authorise(actor=manager, step=leaving)
    assert _next(leaving, "child-case-closure").status == Step.Status.PLANNED

    assert _rows(CarePeriod, person, "start_date", "end_date", "reason_ceased") == [
        ("entering-care", D(2027, 3, 1), D(2027, 6, 14), "E4A")
    ]
    assert _rows(LegalStatus, person, "legal_status", "start_date", "end_date") == [
        ("entering-care", "C1", D(2027, 3, 1), D(2027, 6, 14))
    ]
    assert _rows(
        Placement,
        person,
        "placement_type",
        "provider",
        "postcode",
        "home_postcode",
        "urn",
        "same_carer",
        "start_date",
        "end_date",
        "change_reason",
    ) == [
        (
            "entering-care",
            "U6",
            "PR1",
            "LS6 2AB",
            "LS9 7QT",
            "",
            False,
            D(2027, 3, 1),
            D(2027, 3, 22),
            "CREQB",
        ),
        (
            "placement-change",
            "K2",
            "PR4",
            "BD7 1DP",
            "LS9 7QT",
            "SC484848",
            False,
            D(2027, 3, 22),
            D(2027, 6, 14),
            "",
        ),
    ]

    episode = Episode.objects.get(person=person)
    assert (episode.workflow.code, episode.opened_on, episode.closed_on) == (
        "looked-after-children",
        D(2027, 3, 1),
        None,
    )
    assert _chronology(person) == [
        (D(2027, 3, 1), "Looked after", "Child becomes looked after completed"),
        (D(2027, 3, 13), "Missing", "Missing from placement completed"),
        (D(2027, 3, 14), "Missing", "Return home interview completed"),
        (D(2027, 3, 22), "Looked after", "Placement change completed"),
        (D(2027, 3, 30), "Looked after", "First looked-after review completed"),
        (D(2027, 6, 14), "Looked after", "Ceased to be looked after completed"),
    ]


def test_an_unaccompanied_child_entering_care_is_recorded_as_such(
    pack: ImportResult, users: dict[str, User], person: Person, clock: Clock
) -> None:
    clock.set(D(2027, 3, 1))
    entering = step_start(
        actor=users["allocated_worker"],
        step_type=StepType.objects.get(code="entering-care"),
        person=person,
        start=D(2027, 3, 1),
    )
    answers = entering_care_answers(
        legal_status="V2", section_20_consent=True, unaccompanied_asylum_seeking=True
    )
    for key in ("court", "court_case_number"):
        del answers[key]
    entering = _complete(users["allocated_worker"], entering, answers, "cla-first-review")
    step_authorise(actor=users["senior_manager"], step=entering)
    assert _rows(UASCStatus, person, "start_date", "ceased_date") == [
        ("entering-care", D(2027, 3, 1), None)
    ]
    assert _rows(LegalStatus, person, "legal_status") == [("entering-care", "V2")]
