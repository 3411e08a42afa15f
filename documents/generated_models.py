"""Letter and report templates (versioned) and the documents generated from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from casemgmt.models import Code
from documents.models import CATEGORY_LIST_KEY, Document, DocumentVersion


class DocumentTemplate(models.Model):
    """A letter or report the council sends: HTML with merge fields, edited in the admin.

    Editing the body keeps the old one as a DocumentTemplateVersion; `version` is the
    number of the current one, and every generated PDF records the version it used.
    """

    class Kind(models.TextChoices):
        LETTER = "letter", "Letter (with an address window)"
        REPORT = "report", "Report"

    name = models.CharField(max_length=150)
    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list__key": CATEGORY_LIST_KEY},
        help_text="The category the generated documents are filed under.",
    )
    step_types = models.ManyToManyField(
        "workflows.StepType",
        blank=True,
        related_name="document_templates",
        help_text="The kinds of step this template is offered for (none: every completed step).",
    )
    body = models.TextField(
        help_text="HTML with Jinja2 merge fields, e.g. {{ person.name }}, {{ answers.health }}."
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentTemplateVersion(models.Model):
    """The body of a template as it was at one version; never changed once written."""

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=DocumentTemplate.Kind.choices)
    body = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="document_template_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.number})"


class GeneratedDocument(models.Model):
    """One PDF made from a step by a job: the job id ties it to its output (no duplicates)."""

    job_id = models.UUIDField(unique=True)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="generations")
    document_version = models.OneToOneField(
        DocumentVersion, on_delete=models.PROTECT, related_name="generation"
    )
    step = models.ForeignKey("workflows.Step", on_delete=models.PROTECT, related_name="+")
    # Empty for "Print as PDF" (every section and answer of the step).
    template = models.ForeignKey(
        DocumentTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    template_version = models.ForeignKey(
        DocumentTemplateVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="generated",
    )
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField()

    class Meta:
        ordering = ["-generated_at"]
        indexes = [
            models.Index(fields=["step", "template"], name="generated_step_template"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(template__isnull=True, template_version__isnull=True)
                | Q(template__isnull=False, template_version__isnull=False),
                name="generated_template_and_version",
            )
        ]

    def __str__(self) -> str:
        return f"Generated {self.document} (job {self.job_id})"
