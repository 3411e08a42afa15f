"""Records retention: the rules (configuration), legal holds, the review list and tombstones.

A person's retention date comes from the rules that fit their record (retention/dates.py);
once it has passed, the nightly job puts them on the review list, where information
governance decides: destroy (confirmed by a second officer, then erased by a job that
leaves a tombstone), retain until a later date, or place a legal hold.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def max_years_after_birth() -> int:
    """The longest any record may be kept, in years from the date of birth (a setting)."""
    return int(getattr(settings, "RETENTION_MAX_YEARS_AFTER_BIRTH", 150))


class Category(models.TextChoices):
    """Which records a rule applies to, derived from the facts on the record."""

    LOOKED_AFTER = "looked_after", "Looked-after children"
    ADOPTED = "adopted", "Adopted children"
    FOSTER_CARER = "foster_carer", "Foster carers"
    ADULT = "adult", "Adults with adult social care work"
    OTHER = "other", "Everyone no other rule fits"


class Trigger(models.TextChoices):
    """The date a retention period runs from."""

    BIRTH = "birth", "Date of birth"
    DEATH = "death", "Date of death"
    LAST_CONTACT = "last_contact", "Last contact"
    ADOPTION_ORDER = "adoption_order", "Date of the adoption order"
    APPROVAL_END = "approval_end", "End of approval as a foster carer"


class Combine(models.TextChoices):
    LATER = "later", "Whichever is later"
    EARLIER = "earlier", "Whichever is earlier"


class RetentionRule(models.Model):
    """How long one kind of record is kept: N years from a trigger date (or two, combined).

    When several rules fit a record, the one that keeps it longest applies.
    """

    name = models.CharField(max_length=120, unique=True)
    category = models.CharField(
        max_length=20,
        choices=Category.choices,
        help_text="Which records the rule applies to. The catch-all applies to a record "
        "that no active rule of another category fits.",
    )
    description = models.TextField(
        help_text="What the rule is and its basis in law or guidance, for the records manager."
    )
    trigger = models.CharField(
        "runs from", max_length=20, choices=Trigger.choices, help_text="The date the period starts."
    )
    years = models.PositiveSmallIntegerField("years")
    second_trigger = models.CharField("or from", max_length=20, choices=Trigger.choices, blank=True)
    second_years = models.PositiveSmallIntegerField("years (second date)", null=True, blank=True)
    combine = models.CharField("which applies", max_length=10, choices=Combine.choices, blank=True)
    second_only_if_died_before_age = models.PositiveSmallIntegerField(
        "second date only if the person died before this age",
        null=True,
        blank=True,
        help_text="For example 18: a looked-after child who died before 18 is kept 15 years "
        "after death rather than to their 75th birthday.",
    )
    precedence = models.PositiveSmallIntegerField(
        default=100,
        help_text="Only breaks a tie between rules that give the same date: the lower wins.",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["precedence", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(second_trigger="", second_years__isnull=True, combine="")
                | (~Q(second_trigger="") & Q(second_years__isnull=False) & ~Q(combine="")),
                name="retention_rule_second_date_complete",
            ),
            models.CheckConstraint(
                condition=Q(second_only_if_died_before_age__isnull=True)
                | Q(second_trigger="death"),
                name="retention_rule_age_condition_on_death",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        cap = max_years_after_birth()
        # Every trigger date falls on or after the date of birth, so a period longer than
        # the cap would always run past it.
        for field in ("years", "second_years"):
            value = getattr(self, field)
            if value is not None and value > cap:
                errors[field] = (
                    f"A period of {value} years would run past the date of birth + {cap} "
                    f"years, the longest any record may be kept. Enter {cap} or fewer."
                )
            elif value is not None and value < 1:
                errors[field] = "Enter a period of at least 1 year."
        if self.second_trigger:
            if self.second_years is None:
                errors.setdefault("second_years", "Enter the years from the second date.")
            if not self.combine:
                errors["combine"] = "Choose whether the later or the earlier date applies."
            if self.second_trigger == self.trigger and not self.second_only_if_died_before_age:
                errors["second_trigger"] = "Choose a different date from the first."
        elif self.second_years is not None or self.combine:
            errors["second_trigger"] = "Choose the second date, or clear its years and choice."
        if self.second_only_if_died_before_age is not None:
            if self.second_trigger != Trigger.DEATH:
                errors["second_only_if_died_before_age"] = (
                    "An age at death applies only when the second date is the date of death."
                )
            elif not 1 <= self.second_only_if_died_before_age <= cap:
                errors["second_only_if_died_before_age"] = f"Enter an age from 1 to {cap}."
        if errors:
            raise ValidationError(errors)

    @property
    def summary(self) -> str:
        """The rule in a line: "Date of birth + 75 years, or date of death + 15 years ..."."""
        first = f"{self.get_trigger_display()} + {self.years} years"
        if not self.second_trigger:
            return first
        second = f"{self.get_second_trigger_display()} + {self.second_years} years"
        condition = (
            f" if they died before {self.second_only_if_died_before_age}"
            if self.second_only_if_died_before_age
            else ""
        )
        return f"{first}, or {second.lower()}{condition} ({self.get_combine_display().lower()})"


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> LegalHoldQuerySet:
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """Nothing of the person's record may be destroyed while this is in place."""

    person = models.ForeignKey(
        "clients.Person", on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.TextField()
    reference = models.CharField(
        max_length=100, help_text="The court case, inquiry or claim, e.g. IICSA or a claim number."
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        permissions = [("manage_legal_holds", "Can place and release legal holds on records")]
        indexes = [
            models.Index(
                fields=["person"], condition=Q(released_at__isnull=True), name="legal_hold_active"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by__isnull=True, release_reason="")
                | Q(released_at__isnull=False, released_by__isnull=False) & ~Q(release_reason=""),
                name="legal_hold_release_complete",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_at__gte=F("placed_at")),
                name="legal_hold_released_after_placed",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.reference} on person {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RetentionReviewRun(models.Model):
    """One run of the nightly job that builds the review list."""

    as_of = models.DateField(help_text="The day whose retention dates were checked.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    people_checked = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "review list run"

    def __str__(self) -> str:
        return f"Review list run of {self.as_of:%d/%m/%Y}"


class RetentionReview(models.Model):
    """A record whose retention period has ended, and what information governance decided."""

    class Status(models.TextChoices):
        PENDING = "pending", "To review"
        DESTROY_PROPOSED = "destroy_proposed", "Destruction awaiting confirmation"
        DESTROYING = "destroying", "Being destroyed"
        RETAINED = "retained", "Retained"
        HELD = "held", "Legal hold"
        LAPSED = "lapsed", "No longer due"

    OPEN_STATUSES = (Status.PENDING, Status.DESTROY_PROPOSED, Status.DESTROYING)

    class Undetermined(models.TextChoices):
        NO_DATE_OF_BIRTH = "no_date_of_birth", "No date of birth: the date cannot be worked out"
        MISSING_DATE = "missing_date", "A date the rule needs is missing"
        NO_RULE = "no_rule", "No active retention rule fits this record"

    person = models.ForeignKey(
        "clients.Person", on_delete=models.PROTECT, related_name="retention_reviews"
    )
    rule = models.ForeignKey(
        RetentionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    # Empty when the date could not be worked out: such a record is reviewed, never kept
    # or destroyed unseen.
    retention_date = models.DateField(null=True, blank=True)
    undetermined_reason = models.CharField(max_length=20, choices=Undetermined.choices, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    retain_until = models.DateField(null=True, blank=True)
    legal_hold = models.ForeignKey(
        LegalHold, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(
        "casemgmt.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["retention_date", "id"]
        permissions = [
            (
                "review_retention",
                "Can review records whose retention period has ended and decide on them",
            )
        ]
        indexes = [
            models.Index(fields=["status", "retention_date", "id"], name="retention_review_queue"),
            models.Index(fields=["person", "status"], name="retention_review_person"),
        ]
        constraints = [
            # One open review per record: the nightly job can run again, or twice at once.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["pending", "destroy_proposed", "destroying"]),
                name="retention_review_one_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="retained") | Q(retain_until__isnull=False),
                name="retention_review_retained_until",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["destroy_proposed", "destroying", "retained", "held"])
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="retention_review_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status="destroying")
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False)
                & ~Q(confirmed_by=F("decided_by")),
                name="retention_review_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention review of person {self.person_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Tombstone(models.Model):
    """What is left of a destroyed record: that it existed, under which rule, and who decided.

    No personal data: no name, no date of birth, nothing typed about the person.
    """

    former_person_id = models.BigIntegerField(unique=True)
    # Records merged into it earlier, destroyed with it.
    merged_person_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    rule = models.ForeignKey(
        RetentionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The rule's name when the record was destroyed (a rule can be renamed later).
    rule_name = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    retention_date = models.DateField(null=True, blank=True)
    review_added_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    destroyed_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey(
        "casemgmt.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict, help_text="Rows destroyed, by table.")
    files_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-destroyed_at", "-id"]
        verbose_name = "destroyed record"
        constraints = [
            models.CheckConstraint(
                condition=~Q(confirmed_by=F("decided_by")), name="tombstone_four_eyes"
            )
        ]

    def __str__(self) -> str:
        return f"Destroyed record {self.former_person_id}"

    @property
    def rows_destroyed(self) -> int:
        return sum(int(number) for number in self.counts.values())
