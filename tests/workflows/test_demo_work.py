"""The demo council carries work at every stage, made by the real services."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from casemgmt.models import User
from workflows.models import Episode, Step
from workflows.models.facts_children import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_council(settings: pytest.FixtureRequest) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    call_command("seed_demo", people=600, verbosity=0)
    call_command("load_packs", verbosity=0)


def test_the_demo_caseloads_have_work_at_every_stage(demo_council: None) -> None:
    call_command("seed_demo_work", verbosity=0)

    statuses = set(Step.objects.values_list("status", flat=True))
    assert statuses >= {"planned", "in_progress", "awaiting_authorisation", "completed"}
    practitioner = User.objects.get(username="practitioner")
    assert Step.objects.open().filter(assignee=practitioner).count() >= 5
    assert Step.objects.filter(
        status="awaiting_authorisation", team__code="assessment-north"
    ).exists()
    assert Step.objects.filter(status="planned", assignee__isnull=True).exists()
    assert Episode.objects.filter(closed_on__isnull=False).exists()
    assert Referral.objects.exists()
    overdue = [
        step for step in Step.objects.open().filter(assignee=practitioner) if step.is_overdue
    ]
    assert overdue, "the practitioner's tray shows overdue work"
    # Work is received and started in the past, never on a date still to come
    today = timezone.localdate()
    assert not Step.objects.filter(started_on__gt=today).exists()
    assert all(
        timezone.localdate(created) <= today
        for created in Step.objects.values_list("created_at", flat=True)
    )

    before = Step.objects.count()
    call_command("seed_demo_work", verbosity=0)
    assert Step.objects.count() == before
