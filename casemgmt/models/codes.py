from __future__ import annotations

from django.db import models


class CodeList(models.Model):
    """A named list of codes (ethnicity, note types, alert types...), edited in the admin."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Code(models.Model):
    code_list = models.ForeignKey(CodeList, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code_list", "sort_order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="code_unique_in_list")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
