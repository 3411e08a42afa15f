from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clients.codes import Disability, Ethnicity, GenderIdentity, Sex


class PersonQuerySet(models.QuerySet["Person"]):
    def current(self) -> PersonQuerySet:
        """People who have not been merged into someone else."""
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    """One human being the council works with. One record per person: duplicates get merged."""

    class AccessLevel(models.TextChoices):
        # Who may open the record (clients.selectors.person_list_visible_to): everyone with
        # the role to see people; only users and teams granted it (and, for a while, someone
        # who broke the glass); only users granted it by name (adoption, for instance).
        ORDINARY = "ordinary", "Ordinary"
        RESTRICTED = "restricted", "Restricted"
        SEALED = "sealed", "Sealed"

    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_is_estimated = models.BooleanField(default=False)
    expected_date_of_birth = models.DateField(
        null=True, blank=True, help_text="For an unborn child."
    )
    date_of_death = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(max_length=20, choices=GenderIdentity.choices, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    interpreter_required = models.BooleanField(default=False)
    religion = models.CharField(max_length=60, blank=True)

    nhs_number = models.CharField(max_length=10, null=True, blank=True, unique=True)
    upn = models.CharField("UPN", max_length=13, null=True, blank=True, unique=True)
    ni_number = models.CharField("NI number", max_length=9, null=True, blank=True, unique=True)

    phone = models.CharField(max_length=40, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    gp_practice_code = models.CharField(max_length=10, blank=True)
    gp_practice_name = models.CharField(max_length=150, blank=True)

    # Kept by clients.search.name_keys() whenever a name changes: lower-cased, accents
    # stripped, and phonetic codes, so search can use indexes rather than functions.
    search_name = models.CharField(max_length=300, editable=False, default="")
    last_name_phonetic = models.CharField(max_length=20, editable=False, default="")
    first_name_phonetic = models.CharField(max_length=20, editable=False, default="")
    current_postcode = models.CharField(max_length=8, editable=False, blank=True, default="")

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    access_level = models.CharField(
        max_length=10, choices=AccessLevel.choices, default=AccessLevel.ORDINARY
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            ("merge_person", "Can merge duplicate people"),
            ("view_access_log", "Can view who accessed a person's record"),
        ]
        indexes = [
            # GIN only: with a GiST trigram index beside it the planner picks GiST for `%`,
            # which is 10-30x slower at 1M rows (see clients/search.py).
            GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"], name="person_name_trgm"),
            models.Index(
                fields=["last_name_phonetic", "first_name_phonetic"], name="person_phonetic"
            ),
            models.Index(fields=["date_of_birth"], name="person_dob"),
            models.Index(fields=["current_postcode"], name="person_postcode"),
            # The few records that are not ordinary: an ordinary row needs no grant lookup,
            # and "which records are restricted" reads this small index alone.
            models.Index(
                fields=["access_level"],
                condition=~Q(access_level="ordinary"),
                name="person_not_ordinary",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=F("date_of_birth")),
                name="person_death_after_birth",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="person_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_deceased(self) -> bool:
        return self.date_of_death is not None

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None

    def age_on(self, day: datetime.date) -> int | None:
        if self.date_of_birth is None:
            return None
        end = min(day, self.date_of_death) if self.date_of_death else day
        years = end.year - self.date_of_birth.year
        if (end.month, end.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())


class PersonName(models.Model):
    """A former name or an alias the person is, or was, known by."""

    class Kind(models.TextChoices):
        FORMER = "former", "Former name"
        ALIAS = "alias", "Also known as"
        BIRTH = "birth", "Name at birth"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    search_name = models.CharField(max_length=300, editable=False, default="")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"], name="personname_trgm")
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PersonIdentifier(models.Model):
    """An id the person has in another system (a legacy system, health, education...)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=60)
    value = models.CharField(max_length=60)

    class Meta:
        # Search looks an id up whatever its system, which the unique index cannot serve.
        indexes = [models.Index(fields=["value"], name="identifier_value")]
        constraints = [
            models.UniqueConstraint(fields=["system", "value"], name="identifier_unique_in_system")
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.value}"


class PersonDisability(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disabilities")
    code = models.CharField(max_length=4, choices=Disability.choices)

    class Meta:
        verbose_name = "disability"
        verbose_name_plural = "disabilities"
        constraints = [
            models.UniqueConstraint(fields=["person", "code"], name="disability_once_per_person")
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class Address(models.Model):
    """Where a person lived, lives or will live: effective-dated, never overwritten."""

    class Kind(models.TextChoices):
        HOME = "home", "Home"
        TEMPORARY = "temporary", "Temporary"
        PLACEMENT = "placement", "Placement"
        CORRESPONDENCE = "correspondence", "Correspondence"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.HOME)
    line_1 = models.CharField(max_length=150)
    line_2 = models.CharField(max_length=150, blank=True)
    town = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    is_confidential = models.BooleanField(default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name_plural = "addresses"
        indexes = [
            models.Index(fields=["person", "-start_date"], name="address_person_start"),
            models.Index(fields=["postcode"], name="address_postcode"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="address_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.line_1, self.line_2, self.town, self.postcode) if part
        )

    def is_current_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class PersonMerge(models.Model):
    """A duplicate folded into the person kept: what moved, who did it and why."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    moved = models.JSONField(default=dict, help_text="Rows moved, by table.")

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} into {self.kept_id}"
