"""Load the letter and report templates the product ships (documents/document_templates/).

Idempotent: a template that is missing is created; one the council has not edited in the
admin is brought up to date (a changed body becomes a new version, the old one kept); one
the council has edited is left alone. Run it after load_packs, so the step types exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from casemgmt.models import Code
from documents.generation import template_save
from documents.models import CATEGORY_LIST_KEY, DocumentTemplate
from workflows.models import StepType

FOLDER = Path(__file__).resolve().parents[2] / "document_templates"


@dataclass(frozen=True)
class Shipped:
    code: str
    name: str
    kind: str
    category: str
    step_types: tuple[str, ...]
    description: str


SHIPPED = (
    Shipped(
        "child-and-family-assessment-report",
        "Child and family assessment report",
        "report",
        "assessment",
        ("child-and-family-assessment",),
        "The assessment under the Working Together framework: needs, parenting capacity, "
        "family and environment, the child's voice, analysis and outcome.",
    ),
    Shipped(
        "child-protection-plan",
        "Child protection plan",
        "report",
        "plan",
        ("child-protection-plan",),
        "The plan agreed at conference: core group, outcomes and actions, contingency.",
    ),
    Shipped(
        "care-act-assessment",
        "Care Act assessment",
        "report",
        "assessment",
        ("adult-needs-assessment",),
        "The needs assessment under section 9 of the Care Act 2014, with eligibility.",
    ),
    Shipped(
        "support-plan",
        "Care and support plan",
        "report",
        "plan",
        ("adult-support-plan",),
        "The care and support plan under section 25 of the Care Act 2014.",
    ),
    Shipped(
        "care-package-confirmation-letter",
        "Care package confirmation letter",
        "letter",
        "letter",
        ("adult-support-plan",),
        "A letter to the person confirming the services arranged and their budget.",
    ),
    Shipped(
        "assessment-outcome-letter-to-family",
        "Assessment outcome letter to the family",
        "letter",
        "letter",
        ("child-and-family-assessment",),
        "A letter to the child's parents or carers telling them the outcome of the assessment.",
    ),
)


def load(stdout: Any = None) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    for spec in SHIPPED:
        body = (FOLDER / f"{spec.code}.html").read_text(encoding="utf-8")
        category = Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code=spec.category)
        step_type_ids = list(
            StepType.objects.filter(code__in=spec.step_types).values_list("pk", flat=True)
        )
        with transaction.atomic():
            template = DocumentTemplate.objects.select_for_update().filter(code=spec.code).first()
            if template is not None and template.updated_by_id is not None:
                counts["kept"] += 1  # edited by the council: theirs now
                continue
            # Offered only where it belongs: not for every step while its step types are missing.
            is_active = bool(step_type_ids) or not spec.step_types
            if template is None:
                template = DocumentTemplate(code=spec.code)
                outcome = "created"
            else:
                same = (
                    template.body == body
                    and template.name == spec.name
                    and template.kind == spec.kind
                    and template.category_id == category.pk
                    and template.description == spec.description
                    and template.is_active == is_active
                    and set(template.step_types.values_list("pk", flat=True)) == set(step_type_ids)
                )
                outcome = "unchanged" if same else "updated"
                if same:
                    counts["unchanged"] += 1
                    continue
            template.name = spec.name
            template.kind = spec.kind
            template.category = category
            template.description = spec.description
            template.body = body
            template.is_active = is_active
            template_save(actor=None, template=template, step_type_ids=step_type_ids)
            counts[outcome] += 1
    return counts


class Command(BaseCommand):
    help = "Load the shipped letter and report templates (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load()
        self.stdout.write(
            "Document templates: "
            + ", ".join(f"{number} {what}" for what, number in counts.items())
        )
