"""Writes for information governance: the unusual access check, reviews, staff home postcodes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from governance import detection
from governance.models import AccessFlag, StaffHomeAddress, UnusualAccessRun

FLAG_FIELDS = ("user", "rule", "window_start", "window_end", "person_ids", "count", "status")
REVIEW_FIELDS = ("status", "outcome", "notes", "reviewer", "reviewed_at")
NOTES_MAX_LENGTH = 5000


def unusual_access_detect(
    *, window_start: datetime.datetime, window_end: datetime.datetime
) -> list[AccessFlag]:
    """Flag unusual access in [window_start, window_end); the same window again adds nothing."""
    if timezone.is_naive(window_start) or timezone.is_naive(window_end):
        raise ValueError("The window must be given in timezone-aware datetimes.")
    if window_end <= window_start:
        raise ValueError("The window must end after it starts.")
    at_least = detection.threshold()
    with transaction.atomic():
        # The run row's lock makes two workers given the same window take turns.
        run, _ = UnusualAccessRun.objects.get_or_create(
            window_start=window_start, window_end=window_end
        )
        run = UnusualAccessRun.objects.select_for_update().get(pk=run.pk)
        already = set(
            AccessFlag.objects.filter(window_start=window_start, window_end=window_end).values_list(
                "user_id", "rule"
            )
        )
        created_at = timezone.now()
        new_flags = [
            AccessFlag(
                user_id=finding.user_id,
                rule=finding.rule,
                window_start=window_start,
                window_end=window_end,
                person_ids=list(finding.person_ids),
                count=len(finding.person_ids),
                created_at=created_at,
            )
            for finding in detection.findings(window_start, window_end, at_least=at_least)
            if (finding.user_id, finding.rule) not in already
        ]
        AccessFlag.objects.bulk_create(new_flags)
        for flag in new_flags:
            audit.record_change(
                actor=None,
                action="flag",
                instance=flag,
                person_id=None,
                changes=audit.created(flag, FLAG_FIELDS),
                summary=f"Flagged unusual access: {flag.get_rule_display().lower()}",
            )
        run.finished_at = timezone.now()
        run.flags_created += len(new_flags)
        run.save(update_fields=["finished_at", "flags_created"])
    return new_flags


def unusual_access_windows_due(
    *, now: datetime.datetime, catch_up_hours: int = 24
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The whole hours not yet checked, oldest first, up to the last hour that has ended.

    The first check covers the last hour only; after that every hour since the latest
    check is covered (at most `catch_up_hours` back), so a scheduler that was stopped for
    a while catches up rather than leaving a gap.
    """
    hour = datetime.timedelta(hours=1)
    latest_end = now.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    earliest_start = latest_end - catch_up_hours * hour
    checked = (
        UnusualAccessRun.objects.filter(finished_at__isnull=False, window_end__lte=latest_end)
        .order_by("-window_end")
        .values_list("window_end", flat=True)
        .first()
    )
    if checked is None:
        start = latest_end - hour
    else:
        # A window checked by hand may end mid-hour: go on from the start of that hour.
        aligned = checked.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
        start = max(aligned, earliest_start)
    windows = []
    while start + hour <= latest_end:
        windows.append((start, start + hour))
        start += hour
    return windows


def unusual_access_detect_due(*, now: datetime.datetime | None = None) -> int:
    """Check every hour that is due, each in its own transaction; returns the flags raised."""
    raised = 0
    for window_start, window_end in unusual_access_windows_due(now=now or timezone.now()):
        raised += len(unusual_access_detect(window_start=window_start, window_end=window_end))
    return raised


def access_flag_close(*, actor: User, flag: AccessFlag, outcome: str, notes: str) -> AccessFlag:
    """Record a reviewer's outcome and notes on a flag, closing it."""
    errors: dict[str, str] = {}
    if outcome not in AccessFlag.Outcome.values:
        errors["outcome"] = "Choose the outcome of the review."
    try:
        notes = validators.validate_text(notes, label="Notes", max_length=NOTES_MAX_LENGTH)
    except ValidationError as error:
        errors["notes"] = error.messages[0]
    else:
        if not notes:
            errors["notes"] = "Enter notes on what you found and did."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = AccessFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.user_id == actor.pk:
            raise ValidationError(
                "You cannot review a flag about your own access: another officer must."
            )
        if not locked.is_open:
            raise ValidationError("This flag has already been reviewed and closed.")
        before = audit.snapshot(locked, REVIEW_FIELDS)
        locked.status = AccessFlag.Status.CLOSED
        locked.outcome = outcome
        locked.notes = notes
        locked.reviewer = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=list(REVIEW_FIELDS))
        audit.record_change(
            actor=actor,
            action="review",
            instance=locked,
            person_id=None,
            changes=audit.diff(before, audit.snapshot(locked, REVIEW_FIELDS)),
            summary=f"Reviewed flagged access: {locked.get_outcome_display()}",
        )
    return locked


def staff_home_address_save(
    *, actor: User, home_address: StaffHomeAddress, postcode: str
) -> StaffHomeAddress:
    """Set (or clear) a member of staff's home postcode."""
    try:
        postcode = validators.normalise_postcode(postcode)
    except ValidationError as error:
        raise ValidationError({"postcode": error.messages}) from error
    with transaction.atomic():
        is_new = home_address.pk is None
        before = (
            {}
            if is_new
            else audit.snapshot(
                StaffHomeAddress.objects.get(pk=home_address.pk), ("user", "postcode")
            )
        )
        home_address.postcode = postcode
        home_address.updated_at = timezone.now()
        home_address.save()
        after = audit.snapshot(home_address, ("user", "postcode"))
        audit.record_change(
            actor=actor,
            action="create" if is_new else "update",
            instance=home_address,
            person_id=None,
            changes=audit.created(home_address, ("user", "postcode"))
            if is_new
            else audit.diff(before, after),
            summary="Recorded a staff home postcode" if is_new else "Changed a staff home postcode",
        )
    return home_address
