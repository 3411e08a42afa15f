"""Statutory facts of children's services, written by step completion (see workflows.facts).

Each row is what the Children in Need census, the SSDA903 return and the Standard
Safeguarding Dataset need, kept relational: referrals (CIN episodes) own their
assessments, strategy discussions, S47 enquiries, conferences and plans; a period of care
owns its legal statuses and placements as separate effective-dated rows, from which the
903's episodes are derived. `step` is the step whose completion wrote the row (empty for
rows brought in from another system); `ended_by_step` the one that closed it.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from workflows import statutory_codes as codes

__all__ = [
    "AdoptionDecision",
    "AdoptionMatch",
    "Assessment",
    "CINPlan",
    "CPPlan",
    "CareLeaverContact",
    "CarePeriod",
    "ChildProtectionConference",
    "Contact",
    "Conviction",
    "HealthCheck",
    "LegalStatus",
    "LookedAfterReview",
    "MissingEpisode",
    "Placement",
    "PreviousPermanence",
    "Referral",
    "S47Enquiry",
    "SDQScore",
    "StrategyDiscussion",
    "SubstanceMisuse",
    "UASCStatus",
    "UPNUnknown",
]


def person_field(related_name: str) -> models.ForeignKey:
    return models.ForeignKey("clients.Person", on_delete=models.PROTECT, related_name=related_name)


def ended_by_step_field() -> models.ForeignKey:
    return models.ForeignKey(
        "workflows.Step",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The step whose completion closed this row.",
    )


def one_row_per_step(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["step", "person"], name=name)


def ends_after_start(
    name: str, start: str = "start_date", end: str = "end_date"
) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}), name=name
    )


def _one_open(name: str, end: str = "end_date") -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["person"], condition=Q(**{f"{end}__isnull": True}), name=name
    )


class FactRow(models.Model):
    """What every fact row has: the step that wrote it and when."""

    step = models.ForeignKey(
        "workflows.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


# -- Front door and children in need -------------------------------------------------------


class Contact(FactRow):
    person = person_field("contacts")
    contact_date = models.DateField()
    source = models.CharField(max_length=3, choices=codes.REFERRAL_SOURCE, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-contact_date", "-id"]
        indexes = [models.Index(fields=["person", "contact_date"], name="fact_contact_person")]
        constraints = [one_row_per_step("fact_contact_one_per_step")]

    def __str__(self) -> str:
        return f"Contact on {self.contact_date:%d/%m/%Y}"


class Referral(FactRow):
    """A referral to children's social care: one CIN episode of the census."""

    person = person_field("referrals")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    referral_date = models.DateField()
    source = models.CharField(max_length=3, choices=codes.REFERRAL_SOURCE)
    primary_need = models.CharField(max_length=2, choices=codes.PRIMARY_NEED, blank=True)
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=codes.CLOSURE_REASON, blank=True)
    no_further_action = models.BooleanField(
        default=False, help_text="ReferralNFA: the referral led to no further action."
    )
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-referral_date", "-id"]
        indexes = [
            models.Index(fields=["person", "referral_date"], name="fact_referral_person"),
            models.Index(fields=["referral_date"], name="fact_referral_date"),
            models.Index(fields=["closure_date"], name="fact_referral_closed"),
        ]
        constraints = [
            one_row_per_step("fact_referral_one_per_step"),
            ends_after_start("fact_referral_dates", "referral_date", "closure_date"),
            _one_open("fact_referral_one_open", "closure_date"),
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True, closure_reason="")
                | Q(closure_date__isnull=False) & ~Q(closure_reason=""),
                name="fact_referral_closure_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral on {self.referral_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closure_date is None


class Assessment(FactRow):
    """A child and family (single) assessment within a referral."""

    person = person_field("child_assessments")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    start_date = models.DateField(help_text="AssessmentActualStartDate")
    internal_review_date = models.DateField(null=True, blank=True)
    authorisation_date = models.DateField(null=True, blank=True)
    factors = ArrayField(
        models.CharField(max_length=3, choices=codes.ASSESSMENT_FACTORS), default=list, blank=True
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["person", "start_date"], name="fact_assessment_person"),
            models.Index(fields=["authorisation_date"], name="fact_assessment_authorised"),
        ]
        constraints = [
            one_row_per_step("fact_assessment_one_per_step"),
            ends_after_start("fact_assessment_dates", "start_date", "authorisation_date"),
        ]

    def __str__(self) -> str:
        return f"Assessment from {self.start_date:%d/%m/%Y}"


class StrategyDiscussion(FactRow):
    person = person_field("strategy_discussions")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="strategy_discussions"
    )
    discussion_date = models.DateField()
    s47_required = models.BooleanField(help_text="Whether a section 47 enquiry was decided.")

    class Meta:
        ordering = ["-discussion_date", "-id"]
        indexes = [models.Index(fields=["person", "discussion_date"], name="fact_strategy_person")]
        constraints = [one_row_per_step("fact_strategy_one_per_step")]

    def __str__(self) -> str:
        return f"Strategy discussion on {self.discussion_date:%d/%m/%Y}"


class S47Enquiry(FactRow):
    person = person_field("s47_enquiries")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="s47_enquiries")
    strategy_discussion = models.ForeignKey(
        StrategyDiscussion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(help_text="S47ActualStartDate")
    icpc_target_date = models.DateField(
        null=True, blank=True, help_text="15 working days from the strategy discussion."
    )
    end_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=4, choices=codes.S47_OUTCOME, blank=True)
    icpc_not_required = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "section 47 enquiry"
        verbose_name_plural = "section 47 enquiries"
        indexes = [models.Index(fields=["person", "start_date"], name="fact_s47_person")]
        constraints = [
            one_row_per_step("fact_s47_one_per_step"),
            ends_after_start("fact_s47_dates"),
        ]

    def __str__(self) -> str:
        return f"Section 47 enquiry from {self.start_date:%d/%m/%Y}"


class ChildProtectionConference(FactRow):
    """An initial or review child protection conference."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial child protection conference"
        REVIEW = "review", "Review child protection conference"

    person = person_field("cp_conferences")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="cp_conferences")
    s47_enquiry = models.ForeignKey(
        S47Enquiry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conferences",
        help_text="For an initial conference: the enquiry that led to it.",
    )
    cp_plan = models.ForeignKey(
        "workflows.CPPlan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conferences",
        help_text="For a review conference: the plan it reviewed.",
    )
    conference_date = models.DateField()
    plan_required = models.BooleanField(
        help_text="Initial: the child became subject to a plan. Review: the plan continues."
    )
    category = models.CharField(max_length=3, choices=codes.ABUSE_CATEGORY, blank=True)

    class Meta:
        ordering = ["-conference_date", "-id"]
        indexes = [
            models.Index(fields=["person", "conference_date"], name="fact_conference_person")
        ]
        constraints = [
            one_row_per_step("fact_conference_one_per_step"),
            models.CheckConstraint(
                condition=Q(kind="initial", cp_plan__isnull=True)
                | Q(kind="review", cp_plan__isnull=False),
                name="fact_conference_review_has_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.conference_date:%d/%m/%Y}"


class CPPlan(FactRow):
    """A child protection plan; its review dates are its review conferences."""

    person = person_field("cp_plans")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="cp_plans")
    initial_conference = models.ForeignKey(
        ChildProtectionConference,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    initial_category = models.CharField(max_length=3, choices=codes.ABUSE_CATEGORY)
    latest_category = models.CharField(max_length=3, choices=codes.ABUSE_CATEGORY)
    end_reason = models.CharField(max_length=200, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "child protection plan"
        indexes = [
            models.Index(fields=["person", "start_date"], name="fact_cp_plan_person"),
            models.Index(fields=["end_date"], name="fact_cp_plan_end"),
        ]
        constraints = [
            one_row_per_step("fact_cp_plan_one_per_step"),
            ends_after_start("fact_cp_plan_dates"),
            _one_open("fact_cp_plan_one_open"),
        ]

    def __str__(self) -> str:
        return f"Child protection plan from {self.start_date:%d/%m/%Y}"


class CINPlan(FactRow):
    person = person_field("cin_plans")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="cin_plans")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "child in need plan"
        indexes = [models.Index(fields=["person", "start_date"], name="fact_cin_plan_person")]
        constraints = [
            one_row_per_step("fact_cin_plan_one_per_step"),
            ends_after_start("fact_cin_plan_dates"),
            _one_open("fact_cin_plan_one_open"),
        ]

    def __str__(self) -> str:
        return f"Child in need plan from {self.start_date:%d/%m/%Y}"


class UPNUnknown(FactRow):
    """Why a child has no UPN (CIN census UPNunknown), as at a date."""

    person = person_field("upn_unknown_reasons")
    recorded_on = models.DateField()
    reason = models.CharField(max_length=3, choices=codes.UPN_UNKNOWN)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = "UPN unknown reason"
        indexes = [models.Index(fields=["person", "recorded_on"], name="fact_upn_unknown_person")]
        constraints = [one_row_per_step("fact_upn_unknown_one_per_step")]

    def __str__(self) -> str:
        return f"UPN unknown ({self.reason})"


# -- Looked after (SSDA903) ----------------------------------------------------------------


class CarePeriod(FactRow):
    """A period of being looked after: from starting (RNE S) to ceasing (REC)."""

    person = person_field("care_periods")
    start_date = models.DateField()
    category_of_need = models.CharField(
        max_length=2, choices=codes.CATEGORY_OF_NEED, help_text="The 903 CIN code."
    )
    end_date = models.DateField(null=True, blank=True)
    reason_ceased = models.CharField(max_length=3, choices=codes.REASON_CARE_CEASED, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["person", "start_date"], name="fact_care_period_person"),
            models.Index(fields=["end_date"], name="fact_care_period_end"),
        ]
        constraints = [
            one_row_per_step("fact_care_period_one_per_step"),
            ends_after_start("fact_care_period_dates"),
            _one_open("fact_care_period_one_open"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, reason_ceased="")
                | Q(end_date__isnull=False) & ~Q(reason_ceased=""),
                name="fact_care_period_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Looked after from {self.start_date:%d/%m/%Y}"


class LegalStatus(FactRow):
    person = person_field("legal_statuses")
    care_period = models.ForeignKey(
        CarePeriod, on_delete=models.PROTECT, related_name="legal_statuses"
    )
    legal_status = models.CharField(max_length=2, choices=codes.LEGAL_STATUS)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name_plural = "legal statuses"
        indexes = [models.Index(fields=["person", "start_date"], name="fact_legal_status_person")]
        constraints = [
            one_row_per_step("fact_legal_status_one_per_step"),
            ends_after_start("fact_legal_status_dates"),
            _one_open("fact_legal_status_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_status} from {self.start_date:%d/%m/%Y}"


class Placement(FactRow):
    person = person_field("placements")
    care_period = models.ForeignKey(CarePeriod, on_delete=models.PROTECT, related_name="placements")
    placement_type = models.CharField(max_length=3, choices=codes.PLACEMENT_TYPE)
    provider = models.CharField(max_length=3, choices=codes.PLACEMENT_PROVIDER)
    postcode = models.CharField(max_length=8, blank=True, help_text="PL_POST")
    home_postcode = models.CharField(max_length=8, blank=True, help_text="HOME_POST")
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    same_carer = models.BooleanField(
        default=False, help_text="The carer is the same as in the placement before."
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    change_reason = models.CharField(
        max_length=6,
        choices=codes.REASON_PLACE_CHANGE,
        blank=True,
        help_text="REASON_PLACE_CHANGE: why this placement ended when another replaced it.",
    )
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["person", "start_date"], name="fact_placement_person")]
        constraints = [
            one_row_per_step("fact_placement_one_per_step"),
            ends_after_start("fact_placement_dates"),
            _one_open("fact_placement_one_open"),
        ]

    def __str__(self) -> str:
        return f"Placement {self.placement_type} from {self.start_date:%d/%m/%Y}"


class LookedAfterReview(FactRow):
    person = person_field("looked_after_reviews")
    care_period = models.ForeignKey(CarePeriod, on_delete=models.PROTECT, related_name="reviews")
    review_date = models.DateField()
    participation = models.CharField(max_length=3, choices=codes.REVIEW_PARTICIPATION)

    class Meta:
        ordering = ["-review_date", "-id"]
        indexes = [models.Index(fields=["person", "review_date"], name="fact_la_review_person")]
        constraints = [one_row_per_step("fact_la_review_one_per_step")]

    def __str__(self) -> str:
        return f"Looked-after review on {self.review_date:%d/%m/%Y}"


class MissingEpisode(FactRow):
    person = person_field("missing_episodes")
    care_period = models.ForeignKey(
        CarePeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=1, choices=codes.MISSING_TYPE)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    return_interview_offered = models.BooleanField(null=True, blank=True)
    return_interview_accepted = models.BooleanField(null=True, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["person", "start_date"], name="fact_missing_person")]
        constraints = [
            one_row_per_step("fact_missing_one_per_step"),
            ends_after_start("fact_missing_dates"),
            _one_open("fact_missing_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%d/%m/%Y}"


class CareLeaverContact(FactRow):
    person = person_field("care_leaver_contacts")
    contact_date = models.DateField()
    in_touch = models.CharField(max_length=4, choices=codes.IN_TOUCH)
    activity = models.CharField(max_length=2, choices=codes.CARE_LEAVER_ACTIVITY, blank=True)
    accommodation = models.CharField(
        max_length=2, choices=codes.CARE_LEAVER_ACCOMMODATION, blank=True
    )

    class Meta:
        ordering = ["-contact_date", "-id"]
        indexes = [
            models.Index(fields=["person", "contact_date"], name="fact_leaver_contact_person")
        ]
        constraints = [one_row_per_step("fact_leaver_contact_one_per_step")]

    def __str__(self) -> str:
        return f"Care leaver contact on {self.contact_date:%d/%m/%Y}"


class AdoptionDecision(FactRow):
    """The decision that a child should be placed for adoption (DATE_INT, DATE_PLACED)."""

    person = person_field("adoption_decisions")
    care_period = models.ForeignKey(
        CarePeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_date = models.DateField()
    reversed_date = models.DateField(null=True, blank=True, help_text="DATE_PLACED_CEASED")
    reversed_reason = models.CharField(
        max_length=3, choices=codes.ADOPTION_DECISION_REVERSED, blank=True
    )
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-decision_date", "-id"]
        indexes = [
            models.Index(fields=["person", "decision_date"], name="fact_adoption_dec_person")
        ]
        constraints = [
            one_row_per_step("fact_adoption_dec_one_per_step"),
            ends_after_start("fact_adoption_dec_dates", "decision_date", "reversed_date"),
        ]

    def __str__(self) -> str:
        return f"Should be placed for adoption ({self.decision_date:%d/%m/%Y})"


class AdoptionMatch(FactRow):
    """Matching with prospective adopters (AD1)."""

    person = person_field("adoption_matches")
    decision = models.ForeignKey(AdoptionDecision, on_delete=models.PROTECT, related_name="matches")
    match_date = models.DateField()
    by_foster_carer = models.BooleanField(null=True, blank=True, help_text="FOSTER_CARE")
    number_of_adopters = models.PositiveSmallIntegerField(null=True, blank=True)
    adopters_sex = models.CharField(max_length=2, choices=codes.ADOPTERS_SEX, blank=True)
    adopters_legal_status = models.CharField(
        max_length=3, choices=codes.ADOPTERS_LEGAL_STATUS, blank=True
    )

    class Meta:
        ordering = ["-match_date", "-id"]
        verbose_name_plural = "adoption matches"
        indexes = [models.Index(fields=["person", "match_date"], name="fact_adoption_match_person")]
        constraints = [one_row_per_step("fact_adoption_match_one_per_step")]

    def __str__(self) -> str:
        return f"Matched for adoption on {self.match_date:%d/%m/%Y}"


class PreviousPermanence(FactRow):
    """A permanence order made before this period of care (PrevPerm)."""

    person = person_field("previous_permanence")
    arrangement = models.CharField(max_length=2, choices=codes.PREVIOUS_PERMANENCE)
    order_date = models.DateField(null=True, blank=True)
    local_authority = models.CharField(max_length=100, blank=True, help_text="LA_PERM")

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "previous permanence orders"
        indexes = [models.Index(fields=["person"], name="fact_prev_perm_person")]
        constraints = [one_row_per_step("fact_prev_perm_one_per_step")]

    def __str__(self) -> str:
        return f"Previous permanence ({self.arrangement})"


class UASCStatus(FactRow):
    """Unaccompanied asylum-seeking child, from when to when (DUC)."""

    person = person_field("uasc_statuses")
    start_date = models.DateField()
    ceased_date = models.DateField(null=True, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "UASC status"
        verbose_name_plural = "UASC statuses"
        indexes = [models.Index(fields=["person", "start_date"], name="fact_uasc_person")]
        constraints = [
            one_row_per_step("fact_uasc_one_per_step"),
            ends_after_start("fact_uasc_dates", "start_date", "ceased_date"),
            _one_open("fact_uasc_one_open", "ceased_date"),
        ]

    def __str__(self) -> str:
        return f"UASC from {self.start_date:%d/%m/%Y}"


class HealthCheck(FactRow):
    """A health assessment, dental check, immunisation or development check (OC2)."""

    person = person_field("health_checks")
    kind = models.CharField(max_length=20, choices=codes.HEALTH_CHECK_KIND)
    check_date = models.DateField()

    class Meta:
        ordering = ["-check_date", "-id"]
        indexes = [models.Index(fields=["person", "check_date"], name="fact_health_check_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "person", "kind"], name="fact_health_check_one_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.check_date:%d/%m/%Y}"


class SDQScore(FactRow):
    """A Strengths and Difficulties Questionnaire score, or why there is none (OC2)."""

    person = person_field("sdq_scores")
    assessed_on = models.DateField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=4, choices=codes.SDQ_REASON, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = "SDQ score"
        indexes = [models.Index(fields=["person", "assessed_on"], name="fact_sdq_person")]
        constraints = [
            one_row_per_step("fact_sdq_one_per_step"),
            models.CheckConstraint(
                condition=Q(score__isnull=False, score__lte=40, reason="")
                | Q(score__isnull=True) & ~Q(reason=""),
                name="fact_sdq_score_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"SDQ on {self.assessed_on:%d/%m/%Y}"


class SubstanceMisuse(FactRow):
    """A substance misuse problem identified, and the intervention (OC2)."""

    person = person_field("substance_misuse")
    identified_on = models.DateField()
    intervention_offered = models.BooleanField(null=True, blank=True)
    intervention_received = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-identified_on", "-id"]
        verbose_name_plural = "substance misuse"
        indexes = [models.Index(fields=["person", "identified_on"], name="fact_substance_person")]
        constraints = [one_row_per_step("fact_substance_one_per_step")]

    def __str__(self) -> str:
        return f"Substance misuse identified {self.identified_on:%d/%m/%Y}"


class Conviction(FactRow):
    """A conviction, youth caution or youth conditional caution (OC2 CONVICTED)."""

    person = person_field("convictions")
    outcome_date = models.DateField()
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-outcome_date", "-id"]
        indexes = [models.Index(fields=["person", "outcome_date"], name="fact_conviction_person")]
        constraints = [one_row_per_step("fact_conviction_one_per_step")]

    def __str__(self) -> str:
        return f"Conviction or caution on {self.outcome_date:%d/%m/%Y}"
