"""Writers of the children's services facts (registered with workflows.facts.register).

Each writer checks its values against the DfE's lists, links the row to the person's
open referral, plan or period of care, and writes a change event. Written once per step
and person: a retried completion finds the row the step wrote and changes nothing.
Each writer's docstring says what it writes and what it links to.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from casemgmt.audit import snapshot
from casemgmt.calendar import add_working_days
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
    AdoptionDecision,
    AdoptionMatch,
    Assessment,
    CareLeaverContact,
    CarePeriod,
    ChildProtectionConference,
    CINPlan,
    Contact,
    Conviction,
    CPPlan,
    HealthCheck,
    LegalStatus,
    LookedAfterReview,
    MissingEpisode,
    Placement,
    PreviousPermanence,
    Referral,
    S47Enquiry,
    SDQScore,
    StrategyDiscussion,
    SubstanceMisuse,
    UASCStatus,
    UPNUnknown,
)

if TYPE_CHECKING:
    from casemgmt.models import User
    from clients.models import Person
    from workflows.models import Step

# Working Together: the initial conference within 15 working days of the strategy
# discussion at which the section 47 enquiry was decided.
ICPC_WORKING_DAYS = 15
# Ofsted unique reference numbers: six digits, "SC" and six digits for children's
# social care providers, or seven Xs where the placement has none.
URN_PATTERN = r"(SC)?[0-9]{6}|X{7}"


# -- finding the rows a new fact belongs to -----------------------------------------------


def _open_referral(values: Values, person: Person, doing: str) -> Referral:
    referral = (
        Referral.objects.select_for_update()
        .filter(person=person, closure_date__isnull=True)
        .order_by("-referral_date", "-id")
        .first()
    )
    if referral is None:
        raise values.error(f"{person} has no open referral. Record the referral before {doing}.")
    return referral


def _open_care_period(values: Values, person: Person, doing: str) -> CarePeriod:
    period = (
        CarePeriod.objects.select_for_update().filter(person=person, end_date__isnull=True).first()
    )
    if period is None:
        raise values.error(
            f"{person} is not looked after: record the start of the period of care before {doing}."
        )
    return period


def _care_period_on(person: Person, day: datetime.date) -> CarePeriod | None:
    return (
        CarePeriod.objects.filter(person=person, start_date__lte=day)
        .exclude(end_date__lt=day)
        .order_by("-start_date", "-id")
        .first()
    )


def _open_row(
    queryset: QuerySet[Any], values: Values, message: str, *, end: str = "end_date"
) -> Any:
    row = queryset.select_for_update().filter(**{f"{end}__isnull": True}).order_by("-pk").first()
    if row is None:
        raise values.error(message)
    return row


def _within(
    values: Values, day: datetime.date, start: datetime.date, name: str, parent: str
) -> None:
    if day < start:
        raise values.error(
            f"the {name.replace('_', ' ')} ({day:%d/%m/%Y}) is before the {parent} "
            f"started ({start:%d/%m/%Y})."
        )


# -- contacts and referrals ----------------------------------------------------------------


@fact(
    "contact.record",
    label="Contact",
    fields={"contact_date": "date", "source": "code", "reason": "text", "outcome": "text"},
    required=("contact_date",),
)
def contact_record(*, step: Step, person: Person, values: Values, actor: User) -> Contact:
    """Writes a Contact. Links to nothing; a later referral links to it."""
    if (existing := written_by(Contact, step, person)) is not None:
        return existing
    contact = Contact(
        person=person,
        step=step,
        contact_date=values.required_date("contact_date"),
        source=values.code("source", codes.REFERRAL_SOURCE),
        reason=values.text("reason", max_length=500),
        outcome=values.text("outcome", max_length=200),
    )
    return save_new(
        contact,
        actor=actor,
        fields=["contact_date", "source", "reason", "outcome", "step"],
        summary=f"Contact recorded ({display_date(contact.contact_date)})",
    )


@fact(
    "referral.open",
    label="Referral",
    fields={
        "referral_date": "date",
        "source": "code",
        "primary_need": "code",
        "no_further_action": "bool",
    },
    required=("referral_date", "source"),
)
def referral_open(*, step: Step, person: Person, values: Values, actor: User) -> Referral:
    """Opens a Referral (CIN episode), linked to the person's latest contact on or before
    the referral date that no referral uses yet. Refused while another referral is open."""
    if (existing := written_by(Referral, step, person)) is not None:
        return existing
    referral_date = values.required_date("referral_date")
    source = values.code("source", codes.REFERRAL_SOURCE, required=True)
    primary_need = values.code("primary_need", codes.PRIMARY_NEED)
    no_further_action = bool(values.yes_no("no_further_action"))
    current = (
        Referral.objects.select_for_update()
        .filter(person=person, closure_date__isnull=True)
        .first()
    )
    if current is not None:
        raise values.error(
            f"{person} already has an open referral from "
            f"{display_date(current.referral_date)}: close it before opening another."
        )
    contact = (
        Contact.objects.filter(
            person=person, contact_date__lte=referral_date, referrals__isnull=True
        )
        .order_by("-contact_date", "-id")
        .first()
    )
    referral = Referral(
        person=person,
        step=step,
        contact=contact,
        referral_date=referral_date,
        source=source,
        primary_need=primary_need,
        no_further_action=no_further_action,
    )
    return save_new(
        referral,
        actor=actor,
        fields=["referral_date", "source", "primary_need", "no_further_action", "contact", "step"],
        summary=f"Referral opened ({display_date(referral_date)})",
        action="referral_opened",
    )


@fact(
    "referral.set_need",
    label="Referral primary need",
    fields={"primary_need": "code"},
    required=("primary_need",),
)
def referral_set_need(*, step: Step, person: Person, values: Values, actor: User) -> Referral:
    """Sets the primary need code of the person's open referral (usually at assessment)."""
    primary_need = values.code("primary_need", codes.PRIMARY_NEED, required=True)
    referral = _open_referral(values, person, "recording the primary need")
    before = snapshot(referral, ["primary_need"])
    referral.primary_need = primary_need
    return save_changes(
        referral,
        before,
        actor=actor,
        fields=["primary_need"],
        summary=f"Referral primary need set to {primary_need}",
        action="referral_need_set",
    )


@fact(
    "referral.close",
    label="Referral closure",
    fields={"closure_date": "date", "reason": "code", "no_further_action": "bool"},
    required=("closure_date", "reason"),
)
def referral_close(*, step: Step, person: Person, values: Values, actor: User) -> Referral:
    """Closes the person's open referral: closure date, reason (RC1-RC9), ReferralNFA.
    Refused while a CP plan or CIN plan of the referral is still open."""
    if (done := written_by(Referral, step, person, field="ended_by_step")) is not None:
        return done
    closure_date = values.required_date("closure_date")
    reason = values.code("reason", codes.CLOSURE_REASON, required=True)
    no_further_action = values.yes_no("no_further_action")
    referral = _open_referral(values, person, "closing it")
    not_before(values, closure_date, referral.referral_date, "closure_date", "referral_date")
    for plan_model, name in ((CPPlan, "child protection plan"), (CINPlan, "child in need plan")):
        plan = plan_model.objects.filter(referral=referral, end_date__isnull=True).first()
        if plan is not None:
            raise values.error(
                f"the {name} from {display_date(plan.start_date)} is still open: "
                "end it before closing the referral."
            )
    fields = ["closure_date", "closure_reason", "no_further_action", "ended_by_step"]
    before = snapshot(referral, fields)
    referral.closure_date = closure_date
    referral.closure_reason = reason
    if no_further_action is not None:
        referral.no_further_action = no_further_action
    referral.ended_by_step = step
    return save_changes(
        referral,
        before,
        actor=actor,
        fields=fields,
        summary=f"Referral closed ({display_date(closure_date)}, {reason})",
        action="referral_closed",
    )


# -- assessment, strategy discussion, section 47 -------------------------------------------


@fact(
    "assessment.record",
    label="Assessment",
    fields={
        "start_date": "date",
        "internal_review_date": "date",
        "authorisation_date": "date",
        "factors": "codes",
    },
    required=("start_date",),
)
def assessment_record(*, step: Step, person: Person, values: Values, actor: User) -> Assessment:
    """Writes an Assessment linked to the person's open referral."""
    if (existing := written_by(Assessment, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    internal_review_date = values.date("internal_review_date")
    authorisation_date = values.date("authorisation_date")
    factors = values.code_list("factors", codes.ASSESSMENT_FACTORS)
    if codes.NO_FACTORS_IDENTIFIED in factors and len(factors) > 1:
        raise values.error(
            "'21' (no factors identified) cannot be given together with other factors."
        )
    not_before(values, authorisation_date, start_date, "authorisation_date", "start_date")
    not_before(values, internal_review_date, start_date, "internal_review_date", "start_date")
    referral = _open_referral(values, person, "the assessment")
    not_before(values, start_date, referral.referral_date, "start_date", "referral_date")
    assessment = Assessment(
        person=person,
        step=step,
        referral=referral,
        start_date=start_date,
        internal_review_date=internal_review_date,
        authorisation_date=authorisation_date,
        factors=factors,
    )
    return save_new(
        assessment,
        actor=actor,
        fields=[
            "referral",
            "start_date",
            "internal_review_date",
            "authorisation_date",
            "factors",
            "step",
        ],
        summary=f"Assessment recorded (started {display_date(start_date)})",
    )


@fact(
    "strategy_discussion.record",
    label="Strategy discussion",
    fields={"discussion_date": "date", "s47_required": "bool"},
    required=("discussion_date", "s47_required"),
)
def strategy_discussion_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> StrategyDiscussion:
    """Writes a StrategyDiscussion linked to the person's open referral."""
    if (existing := written_by(StrategyDiscussion, step, person)) is not None:
        return existing
    discussion_date = values.required_date("discussion_date")
    s47_required = values.yes_no("s47_required", required=True)
    referral = _open_referral(values, person, "the strategy discussion")
    not_before(values, discussion_date, referral.referral_date, "discussion_date", "referral_date")
    discussion = StrategyDiscussion(
        person=person,
        step=step,
        referral=referral,
        discussion_date=discussion_date,
        s47_required=bool(s47_required),
    )
    return save_new(
        discussion,
        actor=actor,
        fields=["referral", "discussion_date", "s47_required", "step"],
        summary=f"Strategy discussion recorded ({display_date(discussion_date)})",
    )


@fact(
    "s47.record",
    label="Section 47 enquiry",
    fields={
        "start_date": "date",
        "end_date": "date",
        "outcome": "code",
        "icpc_not_required": "bool",
    },
    required=("start_date",),
)
def s47_record(*, step: Step, person: Person, values: Values, actor: User) -> S47Enquiry:
    """Writes an S47Enquiry linked to the open referral and its latest strategy discussion
    on or before the start (preferring one that decided on a section 47); the initial
    conference target is 15 working days from that discussion."""
    if (existing := written_by(S47Enquiry, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    end_date = values.date("end_date")
    outcome = values.code("outcome", codes.S47_OUTCOME)
    icpc_not_required = values.yes_no("icpc_not_required")
    if icpc_not_required is None:
        icpc_not_required = outcome in ("cin", "nfa")
    elif icpc_not_required and outcome == "icpc":
        raise values.error("the outcome is an initial conference, yet one is marked not required.")
    not_before(values, end_date, start_date, "end_date", "start_date")
    referral = _open_referral(values, person, "the section 47 enquiry")
    discussions = referral.strategy_discussions.filter(discussion_date__lte=start_date).order_by(
        "-discussion_date", "-id"
    )
    discussion = discussions.filter(s47_required=True).first() or discussions.first()
    if discussion is None:
        raise values.error(
            f"no strategy discussion on or before {display_date(start_date)} is recorded in "
            f"{person}'s referral: record the strategy discussion first."
        )
    enquiry = S47Enquiry(
        person=person,
        step=step,
        referral=referral,
        strategy_discussion=discussion,
        start_date=start_date,
        icpc_target_date=add_working_days(discussion.discussion_date, ICPC_WORKING_DAYS),
        end_date=end_date,
        outcome=outcome,
        icpc_not_required=icpc_not_required,
    )
    return save_new(
        enquiry,
        actor=actor,
        fields=[
            "referral",
            "strategy_discussion",
            "start_date",
            "icpc_target_date",
            "end_date",
            "outcome",
            "icpc_not_required",
            "step",
        ],
        summary=f"Section 47 enquiry recorded (started {display_date(start_date)})",
    )


# -- conferences and plans -----------------------------------------------------------------


def _new_cp_plan(
    *,
    step: Step,
    person: Person,
    referral: Referral,
    conference: ChildProtectionConference | None,
    start_date: datetime.date,
    initial_category: str,
    latest_category: str,
    values: Values,
    actor: User,
) -> CPPlan:
    current = CPPlan.objects.select_for_update().filter(person=person, end_date__isnull=True)
    if (open_plan := current.first()) is not None:
        raise values.error(
            f"{person} is already subject to a child protection plan from "
            f"{display_date(open_plan.start_date)}."
        )
    plan = CPPlan(
        person=person,
        step=step,
        referral=referral,
        initial_conference=conference,
        start_date=start_date,
        initial_category=initial_category,
        latest_category=latest_category or initial_category,
    )
    return save_new(
        plan,
        actor=actor,
        fields=[
            "referral",
            "initial_conference",
            "start_date",
            "initial_category",
            "latest_category",
            "step",
        ],
        summary=f"Child protection plan started ({display_date(start_date)}, {initial_category})",
        action="cp_plan_started",
    )


@fact(
    "conference.initial",
    label="Initial child protection conference",
    fields={"conference_date": "date", "plan_required": "bool", "category": "code"},
    required=("conference_date", "plan_required"),
)
def conference_initial(
    *, step: Step, person: Person, values: Values, actor: User
) -> ChildProtectionConference:
    """Writes an initial ChildProtectionConference linked to the open referral's latest
    section 47 enquiry without a conference; when a plan is required it also starts the
    CPPlan (from the conference date, initial and latest category = `category`)."""
    if (existing := written_by(ChildProtectionConference, step, person)) is not None:
        return existing
    conference_date = values.required_date("conference_date")
    plan_required = bool(values.yes_no("plan_required", required=True))
    category = values.code("category", codes.ABUSE_CATEGORY, required=plan_required)
    referral = _open_referral(values, person, "the initial conference")
    enquiry = (
        referral.s47_enquiries.filter(start_date__lte=conference_date)
        .exclude(conferences__kind=ChildProtectionConference.Kind.INITIAL)
        .order_by("-start_date", "-id")
        .first()
    )
    if enquiry is None:
        raise values.error(
            f"no section 47 enquiry awaiting a conference is recorded in {person}'s referral: "
            "record the enquiry first."
        )
    conference = ChildProtectionConference(
        person=person,
        step=step,
        kind=ChildProtectionConference.Kind.INITIAL,
        referral=referral,
        s47_enquiry=enquiry,
        conference_date=conference_date,
        plan_required=plan_required,
        category=category,
    )
    save_new(
        conference,
        actor=actor,
        fields=["kind", "referral", "s47_enquiry", "conference_date", "plan_required", "category"],
        summary=f"Initial child protection conference ({display_date(conference_date)})",
    )
    if plan_required:
        _new_cp_plan(
            step=step,
            person=person,
            referral=referral,
            conference=conference,
            start_date=conference_date,
            initial_category=category,
            latest_category=category,
            values=values,
            actor=actor,
        )
    return conference


def _end_cp_plan(
    plan: CPPlan, *, step: Step, end_date: datetime.date, reason: str, actor: User
) -> CPPlan:
    fields = ["end_date", "end_reason", "ended_by_step"]
    before = snapshot(plan, fields)
    plan.end_date = end_date
    plan.end_reason = reason
    plan.ended_by_step = step
    return save_changes(
        plan,
        before,
        actor=actor,
        fields=fields,
        summary=f"Child protection plan ended ({display_date(end_date)})",
        action="cp_plan_ended",
    )


@fact(
    "conference.review",
    label="Review child protection conference",
    fields={"conference_date": "date", "plan_required": "bool", "category": "code"},
    required=("conference_date", "plan_required"),
)
def conference_review(
    *, step: Step, person: Person, values: Values, actor: User
) -> ChildProtectionConference:
    """Writes a review ChildProtectionConference linked to the person's open CP plan (its
    CPPreviewDate). A `category` becomes the plan's latest category; when the plan is no
    longer required the plan ends on the conference date."""
    if (existing := written_by(ChildProtectionConference, step, person)) is not None:
        return existing
    conference_date = values.required_date("conference_date")
    plan_required = bool(values.yes_no("plan_required", required=True))
    category = values.code("category", codes.ABUSE_CATEGORY)
    plan = _open_row(
        CPPlan.objects.filter(person=person),
        values,
        f"{person} has no open child protection plan to review.",
    )
    _within(values, conference_date, plan.start_date, "conference_date", "plan")
    conference = ChildProtectionConference(
        person=person,
        step=step,
        kind=ChildProtectionConference.Kind.REVIEW,
        referral_id=plan.referral_id,
        cp_plan=plan,
        conference_date=conference_date,
        plan_required=plan_required,
        category=category,
    )
    save_new(
        conference,
        actor=actor,
        fields=["kind", "referral", "cp_plan", "conference_date", "plan_required", "category"],
        summary=f"Review child protection conference ({display_date(conference_date)})",
    )
    if category and category != plan.latest_category:
        before = snapshot(plan, ["latest_category"])
        plan.latest_category = category
        save_changes(
            plan,
            before,
            actor=actor,
            fields=["latest_category"],
            summary=f"Child protection plan category now {category}",
            action="cp_plan_category_changed",
        )
    if not plan_required:
        _end_cp_plan(
            plan,
            step=step,
            end_date=conference_date,
            reason="Ended at a review conference",
            actor=actor,
        )
    return conference


@fact(
    "cp_plan.start",
    label="Child protection plan",
    fields={"start_date": "date", "initial_category": "code", "latest_category": "code"},
    required=("start_date", "initial_category"),
)
def cp_plan_start(*, step: Step, person: Person, values: Values, actor: User) -> CPPlan:
    """Starts a CPPlan in the open referral, linked to its latest initial conference that
    decided on a plan (if any). For plans started other than by conference.initial, such
    as a transfer-in conference."""
    if (existing := written_by(CPPlan, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    initial_category = values.code("initial_category", codes.ABUSE_CATEGORY, required=True)
    latest_category = values.code("latest_category", codes.ABUSE_CATEGORY)
    referral = _open_referral(values, person, "the child protection plan")
    not_before(values, start_date, referral.referral_date, "start_date", "referral_date")
    conference = (
        referral.cp_conferences.filter(
            kind=ChildProtectionConference.Kind.INITIAL,
            plan_required=True,
            conference_date__lte=start_date,
        )
        .order_by("-conference_date", "-id")
        .first()
    )
    return _new_cp_plan(
        step=step,
        person=person,
        referral=referral,
        conference=conference,
        start_date=start_date,
        initial_category=initial_category,
        latest_category=latest_category,
        values=values,
        actor=actor,
    )


@fact(
    "cp_plan.end",
    label="End of child protection plan",
    fields={"end_date": "date", "reason": "text"},
    required=("end_date",),
)
def cp_plan_end(*, step: Step, person: Person, values: Values, actor: User) -> CPPlan:
    """Ends the person's open CPPlan."""
    if (done := written_by(CPPlan, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    reason = values.text("reason", max_length=200)
    plan = _open_row(
        CPPlan.objects.filter(person=person),
        values,
        f"{person} has no open child protection plan to end.",
    )
    not_before(values, end_date, plan.start_date, "end_date", "plan's start date")
    return _end_cp_plan(plan, step=step, end_date=end_date, reason=reason, actor=actor)


@fact(
    "cin_plan.start",
    label="Child in need plan",
    fields={"start_date": "date"},
    required=("start_date",),
)
def cin_plan_start(*, step: Step, person: Person, values: Values, actor: User) -> CINPlan:
    """Starts a CINPlan in the person's open referral; refused while one is open."""
    if (existing := written_by(CINPlan, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    referral = _open_referral(values, person, "the child in need plan")
    not_before(values, start_date, referral.referral_date, "start_date", "referral_date")
    current = CINPlan.objects.select_for_update().filter(person=person, end_date__isnull=True)
    if (open_plan := current.first()) is not None:
        raise values.error(
            f"{person} already has a child in need plan from {display_date(open_plan.start_date)}."
        )
    plan = CINPlan(person=person, step=step, referral=referral, start_date=start_date)
    return save_new(
        plan,
        actor=actor,
        fields=["referral", "start_date", "step"],
        summary=f"Child in need plan started ({display_date(start_date)})",
        action="cin_plan_started",
    )


@fact(
    "cin_plan.end",
    label="End of child in need plan",
    fields={"end_date": "date"},
    required=("end_date",),
)
def cin_plan_end(*, step: Step, person: Person, values: Values, actor: User) -> CINPlan:
    """Ends the person's open CINPlan."""
    if (done := written_by(CINPlan, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    plan = _open_row(
        CINPlan.objects.filter(person=person),
        values,
        f"{person} has no open child in need plan to end.",
    )
    not_before(values, end_date, plan.start_date, "end_date", "plan's start date")
    fields = ["end_date", "ended_by_step"]
    before = snapshot(plan, fields)
    plan.end_date = end_date
    plan.ended_by_step = step
    return save_changes(
        plan,
        before,
        actor=actor,
        fields=fields,
        summary=f"Child in need plan ended ({display_date(end_date)})",
        action="cin_plan_ended",
    )


@fact(
    "upn_unknown.record",
    label="UPN unknown reason",
    fields={"recorded_on": "date", "reason": "code"},
    required=("recorded_on", "reason"),
)
def upn_unknown_record(*, step: Step, person: Person, values: Values, actor: User) -> UPNUnknown:
    """Writes a UPNUnknown reason (UN1-UN7) as at a date."""
    if (existing := written_by(UPNUnknown, step, person)) is not None:
        return existing
    row = UPNUnknown(
        person=person,
        step=step,
        recorded_on=values.required_date("recorded_on"),
        reason=values.code("reason", codes.UPN_UNKNOWN, required=True),
    )
    return save_new(
        row, actor=actor, fields=["recorded_on", "reason", "step"], summary="UPN unknown reason"
    )


# -- looked after ---------------------------------------------------------------------------


@fact(
    "care_period.start",
    label="Start of a period of care",
    fields={"start_date": "date", "category_of_need": "code"},
    required=("start_date", "category_of_need"),
)
def care_period_start(*, step: Step, person: Person, values: Values, actor: User) -> CarePeriod:
    """Starts a CarePeriod (the child becomes looked after); refused while one is open.
    Map it before legal_status.start and placement.start on the same step."""
    if (existing := written_by(CarePeriod, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    category_of_need = values.code("category_of_need", codes.CATEGORY_OF_NEED, required=True)
    current = CarePeriod.objects.select_for_update().filter(person=person, end_date__isnull=True)
    if (open_period := current.first()) is not None:
        raise values.error(
            f"{person} is already looked after from {display_date(open_period.start_date)}."
        )
    period = CarePeriod(
        person=person, step=step, start_date=start_date, category_of_need=category_of_need
    )
    return save_new(
        period,
        actor=actor,
        fields=["start_date", "category_of_need", "step"],
        summary=f"Started to be looked after ({display_date(start_date)})",
        action="care_period_started",
    )


def _end_row(
    row: Any, *, step: Step, end_date: datetime.date, actor: User, summary: str, **extra: Any
) -> Any:
    fields = ["end_date", "ended_by_step", *extra]
    before = snapshot(row, fields)
    row.end_date = end_date
    row.ended_by_step = step
    for name, value in extra.items():
        setattr(row, name, value)
    return save_changes(
        row,
        before,
        actor=actor,
        fields=fields,
        summary=summary,
        action=f"{row._meta.model_name}_ended",
    )


@fact(
    "care_period.end",
    label="End of a period of care",
    fields={"end_date": "date", "reason_ceased": "code"},
    required=("end_date", "reason_ceased"),
)
def care_period_end(*, step: Step, person: Person, values: Values, actor: User) -> CarePeriod:
    """Ends the open CarePeriod with its REC code, and its open legal status and placement
    on the same date."""
    if (done := written_by(CarePeriod, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    reason = values.code("reason_ceased", codes.REASON_CARE_CEASED, required=True)
    period = _open_care_period(values, person, "ending it")
    not_before(values, end_date, period.start_date, "end_date", "period of care's start date")
    for model in (Placement, LegalStatus):
        for row in model.objects.select_for_update().filter(
            care_period=period, end_date__isnull=True
        ):
            not_before(values, end_date, row.start_date, "end_date", f"{row}'s start")
            _end_row(
                row,
                step=step,
                end_date=end_date,
                actor=actor,
                summary=f"{row} ended with the period of care",
            )
    fields = ["end_date", "reason_ceased", "ended_by_step"]
    before = snapshot(period, fields)
    period.end_date = end_date
    period.reason_ceased = reason
    period.ended_by_step = step
    return save_changes(
        period,
        before,
        actor=actor,
        fields=fields,
        summary=f"Ceased to be looked after ({display_date(end_date)}, {reason})",
        action="care_period_ended",
    )


@fact(
    "legal_status.start",
    label="Legal status",
    fields={"legal_status": "code", "start_date": "date"},
    required=("legal_status", "start_date"),
)
def legal_status_start(*, step: Step, person: Person, values: Values, actor: User) -> LegalStatus:
    """Starts a LegalStatus in the open period of care; the legal status it replaces ends
    on the same date."""
    if (existing := written_by(LegalStatus, step, person)) is not None:
        return existing
    legal_status = values.code("legal_status", codes.LEGAL_STATUS, required=True)
    start_date = values.required_date("start_date")
    period = _open_care_period(values, person, "the legal status")
    _within(values, start_date, period.start_date, "start_date", "period of care")
    current = LegalStatus.objects.select_for_update().filter(person=person, end_date__isnull=True)
    if (previous := current.first()) is not None:
        if previous.legal_status == legal_status:
            raise values.error(
                f"{person}'s legal status is already {legal_status} "
                f"(from {display_date(previous.start_date)})."
            )
        _within(values, start_date, previous.start_date, "start_date", "current legal status")
        _end_row(
            previous,
            step=step,
            end_date=start_date,
            actor=actor,
            summary=f"Legal status {previous.legal_status} ended: now {legal_status}",
        )
    row = LegalStatus(
        person=person,
        step=step,
        care_period=period,
        legal_status=legal_status,
        start_date=start_date,
    )
    return save_new(
        row,
        actor=actor,
        fields=["care_period", "legal_status", "start_date", "step"],
        summary=f"Legal status {legal_status} from {display_date(start_date)}",
    )


@fact(
    "legal_status.end",
    label="End of legal status",
    fields={"end_date": "date"},
    required=("end_date",),
)
def legal_status_end(*, step: Step, person: Person, values: Values, actor: User) -> LegalStatus:
    """Ends the person's open LegalStatus."""
    if (done := written_by(LegalStatus, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    row = _open_row(
        LegalStatus.objects.filter(person=person),
        values,
        f"{person} has no current legal status to end.",
    )
    not_before(values, end_date, row.start_date, "end_date", "legal status's start date")
    return _end_row(row, step=step, end_date=end_date, actor=actor, summary=f"{row} ended")


@fact(
    "placement.start",
    label="Placement",
    fields={
        "placement_type": "code",
        "provider": "code",
        "start_date": "date",
        "postcode": "text",
        "home_postcode": "text",
        "urn": "text",
        "same_carer": "bool",
        "change_reason": "code",
    },
    required=("placement_type", "provider", "start_date"),
)
def placement_start(*, step: Step, person: Person, values: Values, actor: User) -> Placement:
    """Starts a Placement in the open period of care. The placement it replaces ends on
    the same date with `change_reason` (REASON_PLACE_CHANGE, then required); the home
    postcode carries over from it when not given."""
    if (existing := written_by(Placement, step, person)) is not None:
        return existing
    placement_type = values.code("placement_type", codes.PLACEMENT_TYPE, required=True)
    provider = values.code("provider", codes.PLACEMENT_PROVIDER, required=True)
    start_date = values.required_date("start_date")
    postcode = values.postcode("postcode")
    home_postcode = values.postcode("home_postcode")
    urn = values.pattern("urn", URN_PATTERN, "SC123456, 123456 or XXXXXXX", max_length=8)
    same_carer = bool(values.yes_no("same_carer"))
    change_reason = values.code("change_reason", codes.REASON_PLACE_CHANGE)
    period = _open_care_period(values, person, "the placement")
    _within(values, start_date, period.start_date, "start_date", "period of care")
    current = Placement.objects.select_for_update().filter(person=person, end_date__isnull=True)
    if (previous := current.first()) is not None:
        if not change_reason:
            raise values.error("the change reason is missing: say why the placement changed.")
        _within(values, start_date, previous.start_date, "start_date", "current placement")
        home_postcode = home_postcode or previous.home_postcode
        _end_row(
            previous,
            step=step,
            end_date=start_date,
            actor=actor,
            summary=f"{previous} ended: placement changed",
            change_reason=change_reason,
        )
    placement = Placement(
        person=person,
        step=step,
        care_period=period,
        placement_type=placement_type,
        provider=provider,
        postcode=postcode,
        home_postcode=home_postcode,
        urn=urn,
        same_carer=same_carer,
        start_date=start_date,
    )
    return save_new(
        placement,
        actor=actor,
        fields=[
            "care_period",
            "placement_type",
            "provider",
            "postcode",
            "home_postcode",
            "urn",
            "same_carer",
            "start_date",
            "step",
        ],
        summary=f"Placement {placement_type} from {display_date(start_date)}",
    )


@fact(
    "placement.end",
    label="End of placement",
    fields={"end_date": "date", "change_reason": "code"},
    required=("end_date",),
)
def placement_end(*, step: Step, person: Person, values: Values, actor: User) -> Placement:
    """Ends the person's open Placement."""
    if (done := written_by(Placement, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    change_reason = values.code("change_reason", codes.REASON_PLACE_CHANGE)
    row = _open_row(
        Placement.objects.filter(person=person),
        values,
        f"{person} has no current placement to end.",
    )
    not_before(values, end_date, row.start_date, "end_date", "placement's start date")
    extra = {"change_reason": change_reason} if change_reason else {}
    return _end_row(row, step=step, end_date=end_date, actor=actor, summary=f"{row} ended", **extra)


@fact(
    "la_review.record",
    label="Looked-after review",
    fields={"review_date": "date", "participation": "code"},
    required=("review_date", "participation"),
)
def la_review_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> LookedAfterReview:
    """Writes a LookedAfterReview linked to the period of care on the review date."""
    if (existing := written_by(LookedAfterReview, step, person)) is not None:
        return existing
    review_date = values.required_date("review_date")
    participation = values.code("participation", codes.REVIEW_PARTICIPATION, required=True)
    period = _care_period_on(person, review_date)
    if period is None:
        raise values.error(f"{person} was not looked after on {display_date(review_date)}.")
    review = LookedAfterReview(
        person=person,
        step=step,
        care_period=period,
        review_date=review_date,
        participation=participation,
    )
    return save_new(
        review,
        actor=actor,
        fields=["care_period", "review_date", "participation", "step"],
        summary=f"Looked-after review ({display_date(review_date)}, {participation})",
    )


@fact(
    "missing.record",
    label="Missing episode",
    fields={
        "kind": "code",
        "start_date": "date",
        "end_date": "date",
        "return_interview_offered": "bool",
        "return_interview_accepted": "bool",
    },
    required=("kind", "start_date"),
)
def missing_record(*, step: Step, person: Person, values: Values, actor: User) -> MissingEpisode:
    """Writes a MissingEpisode (M missing / A away without authorisation), linked to the
    period of care on its start date if there is one. With no end date it stays open
    until missing.end."""
    if (existing := written_by(MissingEpisode, step, person)) is not None:
        return existing
    kind = values.code("kind", codes.MISSING_TYPE, required=True)
    start_date = values.required_date("start_date")
    end_date = values.date("end_date")
    not_before(values, end_date, start_date, "end_date", "start_date")
    if end_date is None:
        current = MissingEpisode.objects.select_for_update().filter(
            person=person, end_date__isnull=True
        )
        if (open_episode := current.first()) is not None:
            raise values.error(
                f"{person} is already recorded as missing from "
                f"{display_date(open_episode.start_date)}: record their return first."
            )
    episode = MissingEpisode(
        person=person,
        step=step,
        care_period=_care_period_on(person, start_date),
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        return_interview_offered=values.yes_no("return_interview_offered"),
        return_interview_accepted=values.yes_no("return_interview_accepted"),
    )
    return save_new(
        episode,
        actor=actor,
        fields=[
            "care_period",
            "kind",
            "start_date",
            "end_date",
            "return_interview_offered",
            "return_interview_accepted",
            "step",
        ],
        summary=f"{episode.get_kind_display()} from {display_date(start_date)}",
    )


@fact(
    "missing.end",
    label="Return from missing",
    fields={
        "end_date": "date",
        "return_interview_offered": "bool",
        "return_interview_accepted": "bool",
    },
    required=("end_date",),
)
def missing_end(*, step: Step, person: Person, values: Values, actor: User) -> MissingEpisode:
    """Ends the person's open MissingEpisode."""
    if (done := written_by(MissingEpisode, step, person, field="ended_by_step")) is not None:
        return done
    end_date = values.required_date("end_date")
    episode = _open_row(
        MissingEpisode.objects.filter(person=person),
        values,
        f"{person} is not recorded as missing.",
    )
    not_before(values, end_date, episode.start_date, "end_date", "start of the missing episode")
    extra = {
        name: answer
        for name in ("return_interview_offered", "return_interview_accepted")
        if (answer := values.yes_no(name)) is not None
    }
    return _end_row(
        episode,
        step=step,
        end_date=end_date,
        actor=actor,
        summary=f"Returned ({display_date(end_date)})",
        **extra,
    )


@fact(
    "care_leaver.contact",
    label="Care leaver contact",
    fields={
        "contact_date": "date",
        "in_touch": "code",
        "activity": "code",
        "accommodation": "code",
    },
    required=("contact_date", "in_touch"),
)
def care_leaver_contact(
    *, step: Step, person: Person, values: Values, actor: User
) -> CareLeaverContact:
    """Writes a CareLeaverContact (OC3 IN_TOUCH, ACTIV, ACCOM). When in touch, activity
    and accommodation are required."""
    if (existing := written_by(CareLeaverContact, step, person)) is not None:
        return existing
    in_touch = values.code("in_touch", codes.IN_TOUCH, required=True)
    contact = CareLeaverContact(
        person=person,
        step=step,
        contact_date=values.required_date("contact_date"),
        in_touch=in_touch,
        activity=values.code("activity", codes.CARE_LEAVER_ACTIVITY, required=in_touch == "YES"),
        accommodation=values.code(
            "accommodation", codes.CARE_LEAVER_ACCOMMODATION, required=in_touch == "YES"
        ),
    )
    return save_new(
        contact,
        actor=actor,
        fields=["contact_date", "in_touch", "activity", "accommodation", "step"],
        summary=f"Care leaver contact ({display_date(contact.contact_date)}, {in_touch})",
    )


# -- adoption and permanence ----------------------------------------------------------------


@fact(
    "adoption.decision",
    label="Decision that the child should be placed for adoption",
    fields={"decision_date": "date"},
    required=("decision_date",),
)
def adoption_decision(
    *, step: Step, person: Person, values: Values, actor: User
) -> AdoptionDecision:
    """Writes an AdoptionDecision (DATE_INT / DATE_PLACED), linked to the period of care on
    the decision date if any."""
    if (existing := written_by(AdoptionDecision, step, person)) is not None:
        return existing
    decision_date = values.required_date("decision_date")
    decision = AdoptionDecision(
        person=person,
        step=step,
        care_period=_care_period_on(person, decision_date),
        decision_date=decision_date,
    )
    return save_new(
        decision,
        actor=actor,
        fields=["care_period", "decision_date", "step"],
        summary=f"Decision to place for adoption ({display_date(decision_date)})",
    )


@fact(
    "adoption.decision_reversed",
    label="Adoption decision reversed",
    fields={"reversed_date": "date", "reason": "code"},
    required=("reversed_date", "reason"),
)
def adoption_decision_reversed(
    *, step: Step, person: Person, values: Values, actor: User
) -> AdoptionDecision:
    """Records on the latest standing AdoptionDecision that it no longer stands
    (DATE_PLACED_CEASED, REASON_PLACED_CEASED)."""
    if (done := written_by(AdoptionDecision, step, person, field="ended_by_step")) is not None:
        return done
    reversed_date = values.required_date("reversed_date")
    reason = values.code("reason", codes.ADOPTION_DECISION_REVERSED, required=True)
    decision = _open_row(
        AdoptionDecision.objects.filter(person=person),
        values,
        f"{person} has no standing decision to place for adoption.",
        end="reversed_date",
    )
    not_before(values, reversed_date, decision.decision_date, "reversed_date", "decision date")
    fields = ["reversed_date", "reversed_reason", "ended_by_step"]
    before = snapshot(decision, fields)
    decision.reversed_date = reversed_date
    decision.reversed_reason = reason
    decision.ended_by_step = step
    return save_changes(
        decision,
        before,
        actor=actor,
        fields=fields,
        summary=f"Adoption decision no longer stands ({display_date(reversed_date)}, {reason})",
        action="adoption_decision_reversed",
    )


@fact(
    "adoption.match",
    label="Matched with prospective adopters",
    fields={
        "match_date": "date",
        "by_foster_carer": "bool",
        "number_of_adopters": "int",
        "adopters_sex": "code",
        "adopters_legal_status": "code",
    },
    required=("match_date",),
)
def adoption_match(*, step: Step, person: Person, values: Values, actor: User) -> AdoptionMatch:
    """Writes an AdoptionMatch (AD1) linked to the latest standing AdoptionDecision."""
    if (existing := written_by(AdoptionMatch, step, person)) is not None:
        return existing
    match_date = values.required_date("match_date")
    number = values.integer("number_of_adopters", minimum=1, maximum=2)
    sex = values.code("adopters_sex", codes.ADOPTERS_SEX)
    legal_status = values.code("adopters_legal_status", codes.ADOPTERS_LEGAL_STATUS)
    if number is not None and sex and (number == 1) != (sex in ("M1", "F1")):
        raise values.error(f"{number} adopter(s) does not fit the adopters' sex '{sex}'.")
    if number is not None and legal_status and (number == 1) != (legal_status == "L0"):
        raise values.error(
            f"{number} adopter(s) does not fit the adopters' legal status '{legal_status}'."
        )
    decision = _open_row(
        AdoptionDecision.objects.filter(person=person),
        values,
        f"{person} has no decision to place for adoption: record it before the match.",
        end="reversed_date",
    )
    not_before(values, match_date, decision.decision_date, "match_date", "adoption decision")
    match = AdoptionMatch(
        person=person,
        step=step,
        decision=decision,
        match_date=match_date,
        by_foster_carer=values.yes_no("by_foster_carer"),
        number_of_adopters=number,
        adopters_sex=sex,
        adopters_legal_status=legal_status,
    )
    return save_new(
        match,
        actor=actor,
        fields=[
            "decision",
            "match_date",
            "by_foster_carer",
            "number_of_adopters",
            "adopters_sex",
            "adopters_legal_status",
            "step",
        ],
        summary=f"Matched with prospective adopters ({display_date(match_date)})",
    )


@fact(
    "previous_permanence.record",
    label="Previous permanence order",
    fields={"arrangement": "code", "order_date": "date", "local_authority": "text"},
    required=("arrangement",),
)
def previous_permanence_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> PreviousPermanence:
    """Writes a PreviousPermanence (PREV_PERM, DATE_PERM, LA_PERM)."""
    if (existing := written_by(PreviousPermanence, step, person)) is not None:
        return existing
    row = PreviousPermanence(
        person=person,
        step=step,
        arrangement=values.code("arrangement", codes.PREVIOUS_PERMANENCE, required=True),
        order_date=values.date("order_date"),
        local_authority=values.text("local_authority", max_length=100),
    )
    return save_new(
        row,
        actor=actor,
        fields=["arrangement", "order_date", "local_authority", "step"],
        summary=f"Previous permanence order ({row.arrangement})",
    )


@fact(
    "uasc.record",
    label="Unaccompanied asylum-seeking child",
    fields={"start_date": "date", "ceased_date": "date"},
    required=("start_date",),
)
def uasc_record(*, step: Step, person: Person, values: Values, actor: User) -> UASCStatus:
    """Writes a UASCStatus; refused while another is open."""
    if (existing := written_by(UASCStatus, step, person)) is not None:
        return existing
    start_date = values.required_date("start_date")
    ceased_date = values.date("ceased_date")
    not_before(values, ceased_date, start_date, "ceased_date", "start_date")
    if UASCStatus.objects.filter(person=person, ceased_date__isnull=True).exists():
        raise values.error(f"{person} is already recorded as an unaccompanied asylum seeker.")
    row = UASCStatus(person=person, step=step, start_date=start_date, ceased_date=ceased_date)
    return save_new(
        row,
        actor=actor,
        fields=["start_date", "ceased_date", "step"],
        summary=f"Unaccompanied asylum-seeking child from {display_date(start_date)}",
    )


@fact(
    "uasc.end",
    label="Ceased to be an unaccompanied asylum-seeking child",
    fields={"ceased_date": "date"},
    required=("ceased_date",),
)
def uasc_end(*, step: Step, person: Person, values: Values, actor: User) -> UASCStatus:
    """Sets DUC on the person's open UASCStatus."""
    if (done := written_by(UASCStatus, step, person, field="ended_by_step")) is not None:
        return done
    ceased_date = values.required_date("ceased_date")
    row = _open_row(
        UASCStatus.objects.filter(person=person),
        values,
        f"{person} is not recorded as an unaccompanied asylum seeker.",
        end="ceased_date",
    )
    not_before(values, ceased_date, row.start_date, "ceased_date", "start of UASC status")
    fields = ["ceased_date", "ended_by_step"]
    before = snapshot(row, fields)
    row.ceased_date = ceased_date
    row.ended_by_step = step
    return save_changes(
        row,
        before,
        actor=actor,
        fields=fields,
        summary=f"Ceased to be UASC ({display_date(ceased_date)})",
        action="uasc_status_ended",
    )


# -- health and offending of looked-after children (OC2) -----------------------------------


@fact(
    "health_check.record",
    label="Health check",
    fields={"kind": "code", "check_date": "date"},
    required=("kind", "check_date"),
)
def health_check_record(*, step: Step, person: Person, values: Values, actor: User) -> HealthCheck:
    """Writes a HealthCheck; one step may write one of each kind."""
    kind = values.code("kind", codes.HEALTH_CHECK_KIND, required=True)
    if (existing := written_by(HealthCheck, step, person, kind=kind)) is not None:
        return existing
    row = HealthCheck(
        person=person, step=step, kind=kind, check_date=values.required_date("check_date")
    )
    return save_new(
        row,
        actor=actor,
        fields=["kind", "check_date", "step"],
        summary=f"{row.get_kind_display()} ({display_date(row.check_date)})",
    )


@fact(
    "sdq.record",
    label="Strengths and Difficulties Questionnaire",
    fields={"assessed_on": "date", "score": "int", "reason": "code"},
    required=("assessed_on",),
)
def sdq_record(*, step: Step, person: Person, values: Values, actor: User) -> SDQScore:
    """Writes an SDQScore: a score from 0 to 40, or the reason there is none."""
    if (existing := written_by(SDQScore, step, person)) is not None:
        return existing
    score = values.integer("score", minimum=0, maximum=40)
    reason = values.code("reason", codes.SDQ_REASON)
    if (score is None) == (not reason):
        raise values.error("give either a score or the reason there is no score, not both.")
    row = SDQScore(
        person=person,
        step=step,
        assessed_on=values.required_date("assessed_on"),
        score=score,
        reason=reason,
    )
    return save_new(
        row,
        actor=actor,
        fields=["assessed_on", "score", "reason", "step"],
        summary=f"SDQ recorded ({display_date(row.assessed_on)})",
    )


@fact(
    "substance_misuse.record",
    label="Substance misuse",
    fields={
        "identified_on": "date",
        "intervention_offered": "bool",
        "intervention_received": "bool",
    },
    required=("identified_on",),
)
def substance_misuse_record(
    *, step: Step, person: Person, values: Values, actor: User
) -> SubstanceMisuse:
    """Writes a SubstanceMisuse row (OC2 SUBSTANCE_MISUSE, INTERVENTION_*)."""
    if (existing := written_by(SubstanceMisuse, step, person)) is not None:
        return existing
    row = SubstanceMisuse(
        person=person,
        step=step,
        identified_on=values.required_date("identified_on"),
        intervention_offered=values.yes_no("intervention_offered"),
        intervention_received=values.yes_no("intervention_received"),
    )
    return save_new(
        row,
        actor=actor,
        fields=["identified_on", "intervention_offered", "intervention_received", "step"],
        summary=f"Substance misuse identified ({display_date(row.identified_on)})",
    )


@fact(
    "conviction.record",
    label="Conviction or youth caution",
    fields={"outcome_date": "date", "description": "text"},
    required=("outcome_date",),
)
def conviction_record(*, step: Step, person: Person, values: Values, actor: User) -> Conviction:
    """Writes a Conviction (OC2 CONVICTED)."""
    if (existing := written_by(Conviction, step, person)) is not None:
        return existing
    row = Conviction(
        person=person,
        step=step,
        outcome_date=values.required_date("outcome_date"),
        description=values.text("description", max_length=300),
    )
    return save_new(
        row,
        actor=actor,
        fields=["outcome_date", "description", "step"],
        summary=f"Conviction or youth caution ({display_date(row.outcome_date)})",
    )
