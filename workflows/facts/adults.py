"""Writers of the adults' services facts (registered with workflows.facts.register).

Codes are checked against the Client Level Data lists in workflows.statutory_codes; each
writer's docstring says what it writes and what it links to. Written once per step and
person: a retried completion finds the row the step wrote and changes nothing.
"""

from __future__ import annotations

import datetime
import decimal
from typing import TYPE_CHECKING, Any

from casemgmt.audit import snapshot
from clients.models import Person
from workflows import statutory_codes as codes
from workflows.facts.common import (
    Values,
    display_date,
    fact,
    not_before,
    save_changes,
    save_new,
    written_by,
)
from workflows.models import (
    AdultCircumstances,
    AdultReview,
    CarerAssessment,
    DoLSApplication,
    NeedsAssessment,
    Request,
    S42Enquiry,
    SafeguardingConcern,
    SupportPlan,
    SupportPlanService,
)

if TYPE_CHECKING:
    from casemgmt.models import User
    from workflows.models import Step

# CQC location ids: "1-" and digits.
CQC_LOCATION_PATTERN = r"1-[0-9]{6,12}"
HOURS_IN_A_WEEK = decimal.Decimal(168)
# CLD asks for planned units per week where the cost is for less than a week.
PER_UNIT_FREQUENCIES = frozenset({"hourly", "daily"})
MAX_SERVICES = 50

SERVICE_FIELDS = {
    "service_type": "code",
    "service_component": "code",
    "delivery_mechanism": "code",
    "provider_cqc_location_id": "text",
    "provider_cqc_location_name": "text",
    "unit_cost": "decimal",
    "cost_frequency": "code",
    "planned_units_per_week": "decimal",
    "description": "text",
}


# -- requests and assessments --------------------------------------------------------------


@fact(
    "request.record",
    label="Request for support",
    fields={
        "request_date": "date",
        "route_of_access": "code",
        "end_date": "date",
        "outcome": "code",
        "description": "text",
    },
    required=("request_date", "route_of_access"),
)
def request_record(*, step: Step, person: Person, values: Values, actor: User) -> Request:
    """Writes a Request (CLD Request event). Links to nothing; assessments link to it."""
    if (existing := written_by(Request, step, person)) is not None:
        return existing
    request_date = values.required_date("request_date")
    end_date = values.date("end_date")
    not_before(values, end_date, request_date, "end_date", "request_date")
    request = Request(
        person=person,
        step=step,
        request_date=request_date,
        route_of_access=values.code("route_of_access", codes.ROUTE_OF_ACCESS, required=True),
        end_date=end_date,
        outcome=values.code("outcome", codes.EVENT_OUTCOME),
        description=values.text("description", max_length=300),
    )
    return save_new(
        request,
        actor=actor,
        fields=["request_date", "route_of_access", "end_date", "outcome", "description", "step"],
        summary=f"Request for support ({display_date(request_date)})",
    )


def _latest_request(person: Person, on: datetime.date, *, unassessed: bool) -> Request | None:
    requests = Request.objects.filter(person=person, request_date__lte=on)
    if unassessed:
        requests = requests.filter(assessments__isnull=True)
    return requests.order_by("-request_date", "-id").first()


ASSESSMENT_FIELDS = {
    "start_date": "date",
    "end_date": "date",
    "assessment_type": "code",
    "eligible_needs": "bool",
    "method": "code",
    "outcome": "code",
}


def _assessment_values(values: Values) -> dict[str, Any]:
    start_date = values.required_date("start_date")
    end_date = values.date("end_date")
    not_before(values, end_date, start_date, "end_date", "start_date")
    return {
        "start_date": start_date,
        "end_date": end_date,
        "assessment_type": values.code("assessment_type", codes.ASSESSMENT_TYPE, required=True),
        "eligible_needs": values.yes_no("eligible_needs"),
        "method": values.code("method", codes.ASSESSMENT_METHOD),
        "outcome": values.code("outcome", codes.EVENT_OUTCOME),
    }


@fact(
    "needs_assessment.record",
    label="Care Act needs assessment",
    fields=ASSESSMENT_FIELDS,
    required=("start_date", "assessment_type"),
)
def needs_assessment_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> NeedsAssessment:
    """Writes a NeedsAssessment (CLD Assessment event), linked to the person's latest
    request on or before its start that no assessment uses yet."""
    if (existing := written_by(NeedsAssessment, step, person)) is not None:
        return existing
    cleaned = _assessment_values(values)
    assessment = NeedsAssessment(
        person=person,
        step=step,
        request=_latest_request(person, cleaned["start_date"], unassessed=True),
        **cleaned,
    )
    return save_new(
        assessment,
        actor=actor,
        fields=["request", *cleaned, "step"],
        summary=f"Care Act needs assessment (from {display_date(cleaned['start_date'])})",
    )


@fact(
    "adult_circumstances.record",
    label="Adult's circumstances",
    fields={
        "recorded_on": "date",
        "primary_support_reason": "code",
        "accommodation_status": "code",
        "employment_status": "code",
        "funding_status": "code",
        "has_unpaid_carer": "bool",
        "dementia": "bool",
    },
    required=("recorded_on",),
)
def adult_circumstances_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> AdultCircumstances:
    """Writes AdultCircumstances as at a date: the CLD person fields the person record
    does not hold (the latest row on the reporting date applies)."""
    if (existing := written_by(AdultCircumstances, step, person)) is not None:
        return existing
    row = AdultCircumstances(
        person=person,
        step=step,
        recorded_on=values.required_date("recorded_on"),
        primary_support_reason=values.code("primary_support_reason", codes.PRIMARY_SUPPORT_REASON),
        accommodation_status=values.code("accommodation_status", codes.ACCOMMODATION_STATUS),
        employment_status=values.code("employment_status", codes.EMPLOYMENT_STATUS),
        funding_status=values.code("funding_status", codes.CLIENT_FUNDING_STATUS),
        has_unpaid_carer=values.yes_no("has_unpaid_carer"),
        dementia=values.yes_no("dementia"),
    )
    return save_new(
        row,
        actor=actor,
        fields=[
            "recorded_on",
            "primary_support_reason",
            "accommodation_status",
            "employment_status",
            "funding_status",
            "has_unpaid_carer",
            "dementia",
            "step",
        ],
        summary=f"Circumstances recorded ({display_date(row.recorded_on)})",
    )


@fact(
    "carer_assessment.record",
    label="Carer's assessment",
    fields={
        **ASSESSMENT_FIELDS,
        "hours_caring_per_week": "decimal",
        "adults_cared_for": "int",
        "cared_for": "people",
    },
    required=("start_date", "assessment_type"),
)
def carer_assessment_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> CarerAssessment:
    """Writes a CarerAssessment for the carer (the step's person), linked to the people
    they care for (`cared_for`: person ids, CLD Adult_1/2/3_Linked_Person_ID) and to the
    carer's latest request on or before its start."""
    if (existing := written_by(CarerAssessment, step, person)) is not None:
        return existing
    cleaned = _assessment_values(values)
    hours = values.number("hours_caring_per_week", places=1, maximum=HOURS_IN_A_WEEK)
    cared_for_ids = values.person_ids("cared_for")
    if person.pk in cared_for_ids:
        raise values.error("a carer cannot be recorded as caring for themselves.")
    # Ordered by id so CLD's Adult_1/2/3 are the same from one run to the next.
    cared_for = list(Person.objects.current().filter(pk__in=cared_for_ids).order_by("pk"))
    if len(cared_for) != len(cared_for_ids):
        raise values.error("one of the people cared for is not on the system.")
    number = values.integer("adults_cared_for", minimum=1, maximum=20)
    if number is None and cared_for:
        number = len(cared_for)
    elif number is not None and number < len(cared_for):
        raise values.error(f"{number} adult(s) cared for, but {len(cared_for)} people are named.")
    assessment = CarerAssessment(
        person=person,
        step=step,
        request=_latest_request(person, cleaned["start_date"], unassessed=False),
        hours_caring_per_week=hours,
        adults_cared_for=number,
        **cleaned,
    )
    save_new(
        assessment,
        actor=actor,
        fields=["request", *cleaned, "hours_caring_per_week", "adults_cared_for", "step"],
        summary=f"Carer's assessment (from {display_date(cleaned['start_date'])})",
    )
    if cared_for:
        assessment.cared_for.set(cared_for)
    return assessment


# -- support plans and reviews -------------------------------------------------------------


def _service(
    values: Values, plan_start: datetime.date, plan_end: datetime.date | None
) -> dict[str, Any]:
    start_date = values.date("start_date") or plan_start
    end_date = values.date("end_date") or plan_end
    not_before(values, start_date, plan_start, "service start date", "plan's start date")
    not_before(values, end_date, start_date, "service end date", "service start date")
    if plan_end is not None:
        not_before(values, plan_end, end_date, "plan's end date", "service end date")
    unit_cost = values.number("unit_cost", places=2, maximum=decimal.Decimal("99999999.99"))
    frequency = values.code("cost_frequency", codes.COST_FREQUENCY, required=unit_cost is not None)
    units = values.number(
        "planned_units_per_week",
        places=2,
        maximum=decimal.Decimal("9999.99"),
        required=frequency in PER_UNIT_FREQUENCIES,
    )
    return {
        "service_type": values.code("service_type", codes.SERVICE_TYPE, required=True),
        "service_component": values.code(
            "service_component", codes.SERVICE_COMPONENT, required=True
        ),
        "delivery_mechanism": values.code(
            "delivery_mechanism", codes.DELIVERY_MECHANISM, required=True
        ),
        "provider_cqc_location_id": values.pattern(
            "provider_cqc_location_id", CQC_LOCATION_PATTERN, "1-123456789", max_length=20
        ),
        "provider_cqc_location_name": values.text("provider_cqc_location_name", max_length=200),
        "unit_cost": unit_cost,
        "cost_frequency": frequency,
        "planned_units_per_week": units,
        "description": values.text("description", max_length=300),
        "start_date": start_date,
        "end_date": end_date,
    }


def _end_plan(
    plan: SupportPlan, *, step: Step, end_date: datetime.date, outcome: str, actor: User
) -> SupportPlan:
    for service in plan.services.select_for_update().exclude(end_date__lte=end_date):
        before = snapshot(service, ["end_date"])
        service.end_date = max(end_date, service.start_date)
        save_changes(
            service,
            before,
            actor=actor,
            fields=["end_date"],
            summary=f"{service} ended with the support plan",
            action="service_ended",
        )
    fields = ["end_date", "end_outcome", "ended_by_step"]
    before = snapshot(plan, fields)
    plan.end_date = end_date
    plan.end_outcome = outcome
    plan.ended_by_step = step
    return save_changes(
        plan,
        before,
        actor=actor,
        fields=fields,
        summary=f"Support plan ended ({display_date(end_date)})",
        action="support_plan_ended",
    )


@fact(
    "support_plan.start",
    label="Care and support plan",
    fields={"start_date": "date", "end_date": "date", "services": "rows", **SERVICE_FIELDS},
    required=("start_date",),
)
def support_plan_start(*, step: Step, person: Person, values: Values, actor: User) -> SupportPlan:
    """Starts a SupportPlan with its SupportPlanService rows (CLD Service events and
    costs): one per row of `services` (a repeating group whose questions are named like
    the service fields, each row optionally with its own start_date/end_date), or a
    single service from the top-level service fields. Links to the person's latest needs
    assessment and carer's assessment on or before the start. A plan still open ends the
    day before (its services with it): the new plan replaces it."""
    if (existing := written_by(SupportPlan, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    end_date = values.date("end_date")
    not_before(values, end_date, start_date, "end_date", "start_date")
    rows = values.rows("services")
    if len(rows) > MAX_SERVICES:
        raise values.error(f"a plan can hold at most {MAX_SERVICES} services.")
    if rows:
        services = [
            _service(values.nested(f"service {index}", row), start_date, end_date)
            for index, row in enumerate(rows, start=1)
        ]
    elif values.given("service_type"):
        services = [_service(values, start_date, end_date)]
    else:
        raise values.error("the plan has no services: add at least one.")
    current = SupportPlan.objects.select_for_update().filter(person=person, end_date__isnull=True)
    if (previous := current.first()) is not None:
        if start_date <= previous.start_date:
            raise values.error(
                f"{person} has a support plan from {display_date(previous.start_date)}: "
                "the new plan must start after it."
            )
        _end_plan(
            previous,
            step=step,
            end_date=start_date - datetime.timedelta(days=1),
            outcome="",
            actor=actor,
        )
    plan = SupportPlan(
        person=person,
        step=step,
        needs_assessment=NeedsAssessment.objects.filter(person=person, start_date__lte=start_date)
        .order_by("-start_date", "-id")
        .first(),
        carer_assessment=CarerAssessment.objects.filter(person=person, start_date__lte=start_date)
        .order_by("-start_date", "-id")
        .first(),
        start_date=start_date,
        end_date=end_date,
    )
    save_new(
        plan,
        actor=actor,
        fields=["needs_assessment", "carer_assessment", "start_date", "end_date", "step"],
        summary=f"Support plan started ({display_date(start_date)})",
        action="support_plan_started",
    )
    for position, service in enumerate(services, start=1):
        row = SupportPlanService(person=person, step=step, plan=plan, position=position, **service)
        save_new(
            row,
            actor=actor,
            fields=["plan", "position", *service],
            summary=f"Planned service: {row.get_service_component_display()}",
        )
    return plan


@fact(
    "support_plan.end",
    label="End of care and support plan",
    fields={"end_date": "date", "outcome": "code"},
    required=("end_date",),
)
def support_plan_end(*, step: Step, person: Person, values: Values, actor: User) -> SupportPlan:
    """Ends the person's open SupportPlan and its services (CLD Event_Outcome)."""
    if (done := written_by(SupportPlan, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    outcome = values.code("outcome", codes.EVENT_OUTCOME)
    plan = (
        SupportPlan.objects.select_for_update().filter(person=person, end_date__isnull=True).first()
    )
    if plan is None:
        raise values.error(f"{person} has no open support plan to end.")
    not_before(values, end_date, plan.start_date, "end_date", "plan's start date")
    return _end_plan(plan, step=step, end_date=end_date, outcome=outcome, actor=actor)


@fact(
    "adult_review.record",
    label="Care and support review",
    fields={
        "review_date": "date",
        "reason": "code",
        "outcomes_achieved": "code",
        "method": "code",
        "outcome": "code",
    },
    required=("review_date", "reason"),
)
def adult_review_record(*, step: Step, person: Person, values: Values, actor: User) -> AdultReview:
    """Writes an AdultReview (CLD Review event), linked to the support plan in force on
    the review date, if any."""
    if (existing := written_by(AdultReview, step, person)) is not None:
        return existing
    review_date = values.required_date("review_date")
    plan = (
        SupportPlan.objects.filter(person=person, start_date__lte=review_date)
        .exclude(end_date__lt=review_date)
        .order_by("-start_date", "-id")
        .first()
    )
    review = AdultReview(
        person=person,
        step=step,
        plan=plan,
        review_date=review_date,
        reason=values.code("reason", codes.REVIEW_REASON, required=True),
        outcomes_achieved=values.code("outcomes_achieved", codes.OUTCOMES_ACHIEVED),
        method=values.code("method", codes.ASSESSMENT_METHOD),
        outcome=values.code("outcome", codes.EVENT_OUTCOME),
    )
    return save_new(
        review,
        actor=actor,
        fields=["plan", "review_date", "reason", "outcomes_achieved", "method", "outcome", "step"],
        summary=f"Care and support review ({display_date(review_date)})",
    )


# -- safeguarding and DoLS ------------------------------------------------------------------


@fact(
    "safeguarding_concern.record",
    label="Safeguarding concern",
    fields={
        "received_date": "date",
        "source": "code",
        "abuse_types": "codes",
        "location": "code",
        "source_of_risk": "code",
        "decision_date": "date",
        "decision": "code",
    },
    required=("received_date",),
)
def safeguarding_concern_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> SafeguardingConcern:
    """Writes a SafeguardingConcern with its decision (s42 / other_enquiry / no_enquiry)."""
    if (existing := written_by(SafeguardingConcern, step, person)) is not None:
        return existing
    received_date = values.required_date("received_date")
    decision_date = values.date("decision_date")
    decision = values.code("decision", codes.CONCERN_DECISION)
    not_before(values, decision_date, received_date, "decision_date", "received_date")
    if decision and decision_date is None:
        decision_date = received_date
    concern = SafeguardingConcern(
        person=person,
        step=step,
        received_date=received_date,
        source=values.code("source", codes.CONCERN_SOURCE),
        abuse_types=values.code_list("abuse_types", codes.ABUSE_TYPE),
        location=values.code("location", codes.ABUSE_LOCATION),
        source_of_risk=values.code("source_of_risk", codes.SOURCE_OF_RISK),
        decision_date=decision_date,
        decision=decision,
    )
    return save_new(
        concern,
        actor=actor,
        fields=[
            "received_date",
            "source",
            "abuse_types",
            "location",
            "source_of_risk",
            "decision_date",
            "decision",
            "step",
        ],
        summary=f"Safeguarding concern ({display_date(received_date)})",
    )


@fact(
    "s42_enquiry.start",
    label="Section 42 enquiry",
    fields={"start_date": "date"},
    required=("start_date",),
)
def s42_enquiry_start(*, step: Step, person: Person, values: Values, actor: User) -> S42Enquiry:
    """Starts an S42Enquiry linked to the person's latest concern decided as a section 42
    enquiry that has no enquiry yet; refused while another enquiry is open."""
    if (existing := written_by(S42Enquiry, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    concern = (
        SafeguardingConcern.objects.filter(
            person=person, decision="s42", received_date__lte=start_date, enquiries__isnull=True
        )
        .order_by("-received_date", "-id")
        .first()
    )
    if concern is None:
        raise values.error(
            f"no safeguarding concern about {person} decided as a section 42 enquiry is "
            "waiting for one: record the concern and its decision first."
        )
    current = S42Enquiry.objects.select_for_update().filter(person=person, end_date__isnull=True)
    if (open_enquiry := current.first()) is not None:
        raise values.error(
            f"a section 42 enquiry from {display_date(open_enquiry.start_date)} is still open."
        )
    enquiry = S42Enquiry(person=person, step=step, concern=concern, start_date=start_date)
    return save_new(
        enquiry,
        actor=actor,
        fields=["concern", "start_date", "step"],
        summary=f"Section 42 enquiry started ({display_date(start_date)})",
        action="s42_enquiry_started",
    )


@fact(
    "s42_enquiry.conclude",
    label="Section 42 enquiry outcome",
    fields={
        "end_date": "date",
        "risk_assessment_outcome": "code",
        "risk_outcome": "code",
        "outcomes_expressed": "bool",
        "outcomes_achieved": "code",
    },
    required=("end_date", "risk_assessment_outcome"),
)
def s42_enquiry_conclude(*, step: Step, person: Person, values: Values, actor: User) -> S42Enquiry:
    """Concludes the person's open S42Enquiry with its outcomes."""
    if (done := written_by(S42Enquiry, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    risk_assessment = values.code(
        "risk_assessment_outcome", codes.RISK_ASSESSMENT_OUTCOME, required=True
    )
    risk_outcome = values.code(
        "risk_outcome", codes.RISK_OUTCOME, required=risk_assessment == "risk_action_taken"
    )
    outcomes_expressed = values.yes_no("outcomes_expressed")
    outcomes_achieved = values.code(
        "outcomes_achieved", codes.OUTCOMES_ACHIEVED, required=bool(outcomes_expressed)
    )
    enquiry = (
        S42Enquiry.objects.select_for_update().filter(person=person, end_date__isnull=True).first()
    )
    if enquiry is None:
        raise values.error(f"{person} has no open section 42 enquiry to conclude.")
    not_before(values, end_date, enquiry.start_date, "end_date", "enquiry's start date")
    fields = [
        "end_date",
        "risk_assessment_outcome",
        "risk_outcome",
        "outcomes_expressed",
        "outcomes_achieved",
        "ended_by_step",
    ]
    before = snapshot(enquiry, fields)
    enquiry.end_date = end_date
    enquiry.risk_assessment_outcome = risk_assessment
    enquiry.risk_outcome = risk_outcome
    enquiry.outcomes_expressed = outcomes_expressed
    enquiry.outcomes_achieved = outcomes_achieved
    enquiry.ended_by_step = step
    return save_changes(
        enquiry,
        before,
        actor=actor,
        fields=fields,
        summary=f"Section 42 enquiry concluded ({display_date(end_date)})",
        action="s42_enquiry_concluded",
    )


@fact(
    "dols.application",
    label="DoLS application",
    fields={"received_date": "date", "kind": "code", "managing_authority": "text"},
    required=("received_date", "kind"),
)
def dols_application(*, step: Step, person: Person, values: Values, actor: User) -> DoLSApplication:
    """Writes a DoLSApplication (urgent or standard)."""
    if (existing := written_by(DoLSApplication, step, person)) is not None:
        return existing
    application = DoLSApplication(
        person=person,
        step=step,
        received_date=values.required_date("received_date"),
        kind=values.code("kind", codes.DOLS_TYPE, required=True),
        managing_authority=values.text("managing_authority", max_length=200),
    )
    return save_new(
        application,
        actor=actor,
        fields=["received_date", "kind", "managing_authority", "step"],
        summary=f"DoLS application received ({display_date(application.received_date)})",
    )


@fact(
    "dols.decision",
    label="DoLS decision",
    fields={
        "decision_date": "date",
        "decision": "code",
        "granted_from": "date",
        "granted_until": "date",
    },
    required=("decision_date", "decision"),
)
def dols_decision(*, step: Step, person: Person, values: Values, actor: User) -> DoLSApplication:
    """Records the decision on the person's latest undecided DoLSApplication; a granted
    authorisation runs from `granted_from` (default: the decision date) to `granted_until`."""
    if (done := written_by(DoLSApplication, step, person, field="ended_by_step")) is not None:
        return done
    decision_date = values.required_date("decision_date")
    decision = values.code("decision", codes.DOLS_DECISION, required=True)
    granted = decision == "granted"
    granted_from = values.date("granted_from") if granted else None
    granted_until = values.date("granted_until", required=granted) if granted else None
    if granted:
        granted_from = granted_from or decision_date
    not_before(values, granted_until, granted_from, "granted_until", "granted_from")
    application = (
        DoLSApplication.objects.select_for_update()
        .filter(person=person, decision="")
        .order_by("-received_date", "-id")
        .first()
    )
    if application is None:
        raise values.error(f"{person} has no DoLS application awaiting a decision.")
    not_before(values, decision_date, application.received_date, "decision_date", "received date")
    fields = ["decision", "decision_date", "granted_from", "granted_until", "ended_by_step"]
    before = snapshot(application, fields)
    application.decision = decision
    application.decision_date = decision_date
    application.granted_from = granted_from
    application.granted_until = granted_until
    application.ended_by_step = step
    return save_changes(
        application,
        before,
        actor=actor,
        fields=fields,
        summary=f"DoLS decision: {application.get_decision_display()}",
        action="dols_decided",
    )
