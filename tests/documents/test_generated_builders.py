"""Builders for the generated-documents tests: completed steps on the shipped packs."""

from __future__ import annotations

import random
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from casemgmt.models import TeamMembership, User
from clients.models import Person
from workflows.answers import fill
from workflows.models import Episode, Step, StepType


def load_packs_and_templates() -> None:
    call_command("load_packs", stdout=StringIO())
    call_command("load_document_templates", stdout=StringIO())


def completed_step(
    person: Person,
    worker: User,
    code: str = "child-and-family-assessment",
    *,
    seed: int = 1,
    overrides: dict[str, Any] | None = None,
    status: str = Step.Status.COMPLETED,
) -> Step:
    """A step of the shipped step type `code`, answered with plausible answers, completed."""
    step_type = StepType.objects.select_related("form", "workflow").get(code=code)
    version = step_type.form.latest_published()
    assert version is not None
    today = timezone.localdate()
    answers = fill(version.schema, random.Random(seed), on=today, overrides=overrides)
    episode = Episode.objects.create(workflow=step_type.workflow, person=person, opened_on=today)
    done = status == Step.Status.COMPLETED
    return Step.objects.create(
        episode=episode,
        step_type=step_type,
        form_version=version,
        person=person,
        status=status,
        answers=answers,
        assignee=worker,
        team=TeamMembership.objects.filter(user=worker).order_by("pk").first().team,  # type: ignore[union-attr]
        started_on=today,
        event_date=today,
        completed_at=timezone.now() if done else None,
        completed_by=worker if done else None,
    )
