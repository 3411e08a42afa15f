"""Statutory facts of adults' services, written by step completion (see workflows.facts).

The Client Level Data return's events are rows here: requests, assessments (needs and
carers'), the services of a support plan (with their costs), and reviews; the person's
circumstances the return repeats on every row are effective-dated rows, the latest on
the reporting date applying. Safeguarding concerns, section 42 enquiries and DoLS
applications are kept for the Safeguarding Adults Collection and the DoLS return.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from workflows import statutory_codes as codes
from workflows.models.facts_children import (
    FactRow,
    ended_by_step_field,
    ends_after_start,
    one_row_per_step,
    person_field,
)

__all__ = [
    "AdultCircumstances",
    "AdultReview",
    "CarerAssessment",
    "DoLSApplication",
    "NeedsAssessment",
    "Request",
    "S42Enquiry",
    "SafeguardingConcern",
    "SupportPlan",
    "SupportPlanService",
]


class Request(FactRow):
    """A request for support (CLD Request event)."""

    person = person_field("care_requests")
    request_date = models.DateField()
    route_of_access = models.CharField(max_length=30, choices=codes.ROUTE_OF_ACCESS)
    end_date = models.DateField(null=True, blank=True, help_text="When the request was resolved.")
    outcome = models.CharField(max_length=40, choices=codes.EVENT_OUTCOME, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-request_date", "-id"]
        verbose_name = "request for support"
        verbose_name_plural = "requests for support"
        indexes = [models.Index(fields=["person", "request_date"], name="fact_request_person")]
        constraints = [
            one_row_per_step("fact_request_one_per_step"),
            ends_after_start("fact_request_dates", "request_date"),
        ]

    def __str__(self) -> str:
        return f"Request on {self.request_date:%d/%m/%Y}"


class NeedsAssessment(FactRow):
    """A Care Act needs assessment (CLD Assessment event)."""

    person = person_field("needs_assessments")
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    assessment_type = models.CharField(max_length=20, choices=codes.ASSESSMENT_TYPE)
    eligible_needs = models.BooleanField(null=True, blank=True)
    method = models.CharField(max_length=30, choices=codes.ASSESSMENT_METHOD, blank=True)
    outcome = models.CharField(max_length=40, choices=codes.EVENT_OUTCOME, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["person", "start_date"], name="fact_needs_assess_person")]
        constraints = [
            one_row_per_step("fact_needs_assess_one_per_step"),
            ends_after_start("fact_needs_assess_dates"),
        ]

    def __str__(self) -> str:
        return f"Needs assessment from {self.start_date:%d/%m/%Y}"


class AdultCircumstances(FactRow):
    """The person's circumstances CLD repeats on every row, as recorded on a date."""

    person = person_field("adult_circumstances")
    recorded_on = models.DateField()
    primary_support_reason = models.CharField(
        max_length=30, choices=codes.PRIMARY_SUPPORT_REASON, blank=True
    )
    accommodation_status = models.CharField(
        max_length=30, choices=codes.ACCOMMODATION_STATUS, blank=True
    )
    employment_status = models.CharField(max_length=30, choices=codes.EMPLOYMENT_STATUS, blank=True)
    funding_status = models.CharField(
        max_length=20, choices=codes.CLIENT_FUNDING_STATUS, blank=True
    )
    has_unpaid_carer = models.BooleanField(null=True, blank=True)
    dementia = models.BooleanField(
        null=True,
        blank=True,
        help_text="Autism, visual and hearing impairment come from the person's disabilities.",
    )

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name_plural = "adult circumstances"
        indexes = [models.Index(fields=["person", "recorded_on"], name="fact_circumstances_person")]
        constraints = [one_row_per_step("fact_circumstances_one_per_step")]

    def __str__(self) -> str:
        return f"Circumstances on {self.recorded_on:%d/%m/%Y}"


class CarerAssessment(FactRow):
    """A carer's assessment: the carer is `person`; the adults they care for are linked."""

    person = person_field("carer_assessments")
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    assessment_type = models.CharField(max_length=20, choices=codes.ASSESSMENT_TYPE)
    eligible_needs = models.BooleanField(null=True, blank=True)
    method = models.CharField(max_length=30, choices=codes.ASSESSMENT_METHOD, blank=True)
    outcome = models.CharField(max_length=40, choices=codes.EVENT_OUTCOME, blank=True)
    hours_caring_per_week = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )
    adults_cared_for = models.PositiveSmallIntegerField(null=True, blank=True)
    cared_for = models.ManyToManyField("clients.Person", blank=True, related_name="+")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["person", "start_date"], name="fact_carer_assess_person")]
        constraints = [
            one_row_per_step("fact_carer_assess_one_per_step"),
            ends_after_start("fact_carer_assess_dates"),
            models.CheckConstraint(
                condition=Q(hours_caring_per_week__isnull=True) | Q(hours_caring_per_week__lte=168),
                name="fact_carer_assess_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"Carer's assessment from {self.start_date:%d/%m/%Y}"


class SupportPlan(FactRow):
    """A care and support plan (or a carer's support plan) and its services."""

    person = person_field("support_plans")
    needs_assessment = models.ForeignKey(
        NeedsAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carer_assessment = models.ForeignKey(
        CarerAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_outcome = models.CharField(max_length=40, choices=codes.EVENT_OUTCOME, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["person", "start_date"], name="fact_support_plan_person")]
        constraints = [
            one_row_per_step("fact_support_plan_one_per_step"),
            ends_after_start("fact_support_plan_dates"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="fact_support_plan_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Support plan from {self.start_date:%d/%m/%Y}"


class SupportPlanService(FactRow):
    """One service of a support plan (CLD Service event, with its cost)."""

    person = person_field("planned_services")
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="services")
    position = models.PositiveSmallIntegerField()
    service_type = models.CharField(max_length=30, choices=codes.SERVICE_TYPE)
    service_component = models.CharField(max_length=30, choices=codes.SERVICE_COMPONENT)
    delivery_mechanism = models.CharField(max_length=20, choices=codes.DELIVERY_MECHANISM)
    provider_cqc_location_id = models.CharField(max_length=20, blank=True)
    provider_cqc_location_name = models.CharField(max_length=200, blank=True)
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    cost_frequency = models.CharField(max_length=20, choices=codes.COST_FREQUENCY, blank=True)
    planned_units_per_week = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    description = models.CharField(max_length=300, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        indexes = [models.Index(fields=["person", "start_date"], name="fact_service_person")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="fact_service_position"),
            ends_after_start("fact_service_dates"),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | ~Q(cost_frequency=""),
                name="fact_service_cost_frequency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_component_display()} from {self.start_date:%d/%m/%Y}"


class AdultReview(FactRow):
    """A review of a care and support plan (CLD Review event)."""

    person = person_field("care_reviews")
    plan = models.ForeignKey(
        SupportPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    review_date = models.DateField()
    reason = models.CharField(max_length=10, choices=codes.REVIEW_REASON)
    outcomes_achieved = models.CharField(max_length=20, choices=codes.OUTCOMES_ACHIEVED, blank=True)
    method = models.CharField(max_length=30, choices=codes.ASSESSMENT_METHOD, blank=True)
    outcome = models.CharField(max_length=40, choices=codes.EVENT_OUTCOME, blank=True)

    class Meta:
        ordering = ["-review_date", "-id"]
        verbose_name = "care and support review"
        indexes = [models.Index(fields=["person", "review_date"], name="fact_care_review_person")]
        constraints = [one_row_per_step("fact_care_review_one_per_step")]

    def __str__(self) -> str:
        return f"Review on {self.review_date:%d/%m/%Y}"


class SafeguardingConcern(FactRow):
    person = person_field("safeguarding_concerns")
    received_date = models.DateField()
    source = models.CharField(max_length=30, choices=codes.CONCERN_SOURCE, blank=True)
    abuse_types = ArrayField(
        models.CharField(max_length=30, choices=codes.ABUSE_TYPE), default=list, blank=True
    )
    location = models.CharField(max_length=30, choices=codes.ABUSE_LOCATION, blank=True)
    source_of_risk = models.CharField(max_length=20, choices=codes.SOURCE_OF_RISK, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=codes.CONCERN_DECISION, blank=True)

    class Meta:
        ordering = ["-received_date", "-id"]
        indexes = [models.Index(fields=["person", "received_date"], name="fact_sg_concern_person")]
        constraints = [
            one_row_per_step("fact_sg_concern_one_per_step"),
            ends_after_start("fact_sg_concern_dates", "received_date", "decision_date"),
        ]

    def __str__(self) -> str:
        return f"Safeguarding concern on {self.received_date:%d/%m/%Y}"


class S42Enquiry(FactRow):
    person = person_field("s42_enquiries")
    concern = models.ForeignKey(
        SafeguardingConcern, on_delete=models.PROTECT, related_name="enquiries"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    risk_assessment_outcome = models.CharField(
        max_length=20, choices=codes.RISK_ASSESSMENT_OUTCOME, blank=True
    )
    risk_outcome = models.CharField(max_length=10, choices=codes.RISK_OUTCOME, blank=True)
    outcomes_expressed = models.BooleanField(
        null=True, blank=True, help_text="Making Safeguarding Personal: outcomes asked for."
    )
    outcomes_achieved = models.CharField(max_length=20, choices=codes.OUTCOMES_ACHIEVED, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "section 42 enquiry"
        verbose_name_plural = "section 42 enquiries"
        indexes = [models.Index(fields=["person", "start_date"], name="fact_s42_person")]
        constraints = [
            one_row_per_step("fact_s42_one_per_step"),
            ends_after_start("fact_s42_dates"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(end_date__isnull=True), name="fact_s42_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Section 42 enquiry from {self.start_date:%d/%m/%Y}"


class DoLSApplication(FactRow):
    """A request for a Deprivation of Liberty Safeguards authorisation, and its decision."""

    person = person_field("dols_applications")
    received_date = models.DateField()
    kind = models.CharField(max_length=10, choices=codes.DOLS_TYPE)
    managing_authority = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=20, choices=codes.DOLS_DECISION, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    granted_from = models.DateField(null=True, blank=True)
    granted_until = models.DateField(null=True, blank=True)
    ended_by_step = ended_by_step_field()

    class Meta:
        ordering = ["-received_date", "-id"]
        verbose_name = "DoLS application"
        indexes = [models.Index(fields=["person", "received_date"], name="fact_dols_person")]
        constraints = [
            one_row_per_step("fact_dols_one_per_step"),
            ends_after_start("fact_dols_decision_dates", "received_date", "decision_date"),
            ends_after_start("fact_dols_granted_dates", "granted_from", "granted_until"),
        ]

    def __str__(self) -> str:
        return f"DoLS application received {self.received_date:%d/%m/%Y}"
