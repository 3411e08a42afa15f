from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from clients.models.people import Person


class RelationshipType(models.Model):
    """A kind of relationship and its reciprocal: parent/child, sibling/sibling, carer/cared-for."""

    class Category(models.TextChoices):
        FAMILY = "family", "Family"
        HOUSEHOLD = "household", "Household"
        PROFESSIONAL = "professional", "Care and support"
        OTHER = "other", "Other"

    class Genogram(models.TextChoices):
        """How the genogram draws this link (relative to the person it belongs to)."""

        PARENT = "parent", "The other person is my parent"
        CHILD = "child", "The other person is my child"
        PARTNER = "partner", "The other person is my partner"
        SIBLING = "sibling", "The other person is my sibling"
        NONE = "none", "Not drawn"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60, help_text="What the other person is to this one.")
    male_name = models.CharField(max_length=60, blank=True)
    female_name = models.CharField(max_length=60, blank=True)
    reciprocal = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.FAMILY)
    genogram = models.CharField(max_length=10, choices=Genogram.choices, default=Genogram.NONE)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def name_for(self, sex: str) -> str:
        if sex == "M" and self.male_name:
            return self.male_name
        if sex == "F" and self.female_name:
            return self.female_name
        return self.name


class Relationship(models.Model):
    """`other` is `type` to `person`. Stored in both directions; services keep the pair in step."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    type = models.ForeignKey(RelationshipType, on_delete=models.PROTECT, related_name="+")
    reciprocal = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_parental_responsibility = models.BooleanField(
        default=False, help_text="The other person has parental responsibility for this person."
    )
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "type"], name="relationship_person_type")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=F("other")), name="relationship_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="relationship_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.other} is {self.type} of {self.person}"

    @property
    def label(self) -> str:
        return self.type.name_for(self.other.sex)
