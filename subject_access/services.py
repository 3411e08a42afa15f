"""Writes for subject access requests: logging a request, its deadline and pauses, the people
it is about, extending, closing, and the daily reminders.

Gathering the case file is in gathering.py, the review and release in review.py.
Every service locks the request, checks the step is allowed from where the request is,
saves, and writes its change event in the same transaction.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt import audit, notifications, roles
from casemgmt.models import User
from clients import validators
from clients.models import Person
from subject_access import deadlines
from subject_access.models import (
    Channel,
    DeadlineNotice,
    Exemption,
    Pause,
    RequestSubject,
    SubjectAccessRequest,
)

Status = SubjectAccessRequest.Status

REQUEST_FIELDS = (
    "received_on",
    "channel",
    "requester_name",
    "requester_role",
    "authority",
    "requester_address",
    "requester_email",
    "requester_phone",
    "subject_name",
    "subject_date_of_birth",
    "subject_details",
    "scope",
    "owner",
)
DEADLINE_FIELDS = ("status", "clock_started_on", "due_on", "extension_months")
NAME_LIMIT = 200
SHORT_TEXT_LIMIT = 2000
LONG_TEXT_LIMIT = 10_000
REASON_MIN = 10
OLDEST_RECEIPT_DAYS = 2 * 366
LETTER_GAP = "{REASON}"
# The steps that may still change who the request is about and what is gathered.
BEFORE_REVIEW = (Status.RECEIVED, Status.AWAITING, Status.IN_PROGRESS)
RUNNING = (Status.RECEIVED, Status.IN_PROGRESS, Status.IN_REVIEW)


# -- checking what was typed -----------------------------------------------------------------


class Checker:
    """Collects one message per field, so a form shows every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(
        self,
        name: str,
        value: str | None,
        *,
        label: str,
        limit: int,
        required: str = "",
        one_line: bool = False,
        minimum: int = 0,
    ) -> str:
        try:
            cleaned = validators.validate_text(value or "", label=label, max_length=limit)
        except ValidationError as error:
            self.add(name, error.messages[0])
            return ""
        if one_line and ("\n" in cleaned or "\r" in cleaned):
            self.add(name, f"{label} must be on one line.")
        elif required and not cleaned:
            self.add(name, required)
        elif cleaned and len(cleaned) < minimum:
            self.add(name, f"{label} must be at least {minimum} characters.")
        return cleaned

    def choice(self, name: str, value: str | None, choices: Any, message: str) -> str:
        if value not in choices.values:
            self.add(name, message)
            return ""
        return str(value)

    def day(
        self,
        name: str,
        value: datetime.date | None,
        *,
        label: str,
        required: bool = True,
        not_before: tuple[datetime.date, str] | None = None,
        today: datetime.date,
    ) -> datetime.date | None:
        if value is None:
            if required:
                self.add(name, f"Enter {label[0].lower() + label[1:]}.")
            return None
        if value > today:
            self.add(name, f"{label} must be today or in the past.")
        elif not_before is not None and value < not_before[0]:
            self.add(name, not_before[1])
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _check_letter(checker: Checker, letter: str) -> None:
    # The shipped letters leave a gap for the reason, which the officer must fill in.
    if letter and LETTER_GAP in letter and not checker.errors.get("letter"):
        checker.add("letter", f"Replace {LETTER_GAP} in the letter with the reason.")


def format_day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _locked(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)


def _require(locked: SubjectAccessRequest, allowed: tuple[str, ...], message: str) -> None:
    if locked.status not in allowed:
        raise ValidationError(message)


def refreshed(sar: SubjectAccessRequest, locked: SubjectAccessRequest) -> SubjectAccessRequest:
    for model_field in SubjectAccessRequest._meta.concrete_fields:
        setattr(sar, model_field.attname, getattr(locked, model_field.attname))
    return sar


def record_request_change(
    *,
    actor: User | None,
    action: str,
    locked: SubjectAccessRequest,
    before: Mapping[str, Any],
    fields: tuple[str, ...],
    summary: str,
    reason: str = "",
    person_id: int | None = None,
) -> None:
    audit.record_change(
        actor=actor,
        action=action,
        instance=locked,
        person_id=person_id,
        changes=audit.diff(before, audit.snapshot(locked, fields)),
        summary=f"{summary} ({locked.reference})",
        reason=reason,
    )


def eligible_owners() -> Any:
    """Active staff who may run requests: whom a request can be given to."""
    return (
        User.objects.with_perm(
            roles.MANAGE_SUBJECT_ACCESS,
            include_superusers=False,
            backend="casemgmt.permission_cache.CachedModelBackend",
        )
        .filter(is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


# -- the request itself ---------------------------------------------------------------------


def _check_details(
    values: Mapping[str, Any], *, today: datetime.date, checker: Checker
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    cleaned["received_on"] = checker.day(
        "received_on",
        values.get("received_on"),
        label="The date the request was received",
        today=today,
        not_before=(
            today - datetime.timedelta(days=OLDEST_RECEIPT_DAYS),
            "The date the request was received must be within the last 2 years.",
        ),
    )
    cleaned["channel"] = checker.choice(
        "channel", values.get("channel"), Channel, "Choose how the request was received."
    )
    cleaned["requester_name"] = checker.text(
        "requester_name",
        values.get("requester_name"),
        label="The requester's name",
        limit=NAME_LIMIT,
        required="Enter the name of the person who made the request.",
        one_line=True,
    )
    cleaned["requester_role"] = checker.choice(
        "requester_role",
        values.get("requester_role"),
        SubjectAccessRequest.RequesterRole,
        "Choose who is asking.",
    )
    cleaned["authority"] = checker.text(
        "authority", values.get("authority"), label="Authority", limit=SHORT_TEXT_LIMIT
    )
    if cleaned["requester_role"] not in ("", SubjectAccessRequest.RequesterRole.SELF) and not (
        cleaned["authority"] or checker.errors.get("authority")
    ):
        checker.add(
            "authority",
            "Enter the authority they have to act for the data subject, for example a signed "
            "consent form or a Lasting Power of Attorney.",
        )
    cleaned["requester_address"] = checker.text(
        "requester_address", values.get("requester_address"), label="Address", limit=1000
    )
    email = checker.text(
        "requester_email",
        values.get("requester_email"),
        label="Email address",
        limit=254,
        one_line=True,
    )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            checker.add(
                "requester_email",
                "Enter an email address in the right format, like name@example.com.",
            )
    cleaned["requester_email"] = email
    cleaned["requester_phone"] = checker.text(
        "requester_phone",
        values.get("requester_phone"),
        label="Phone number",
        limit=40,
        one_line=True,
    )
    if not (
        cleaned["requester_address"]
        or email
        or cleaned["requester_phone"]
        or any(
            checker.errors.get(name)
            for name in ("requester_address", "requester_email", "requester_phone")
        )
    ):
        checker.add(
            "requester_address", "Enter at least one way to reply: an address, email or phone."
        )
    cleaned["subject_name"] = checker.text(
        "subject_name",
        values.get("subject_name"),
        label="The data subject's name",
        limit=NAME_LIMIT,
        required="Enter the name of the person the request is about.",
        one_line=True,
    )
    born = values.get("subject_date_of_birth")
    if born is not None:
        try:
            validators.validate_date_of_birth(born)
        except ValidationError as error:
            checker.add("subject_date_of_birth", error.messages[0])
    cleaned["subject_date_of_birth"] = born
    cleaned["subject_details"] = checker.text(
        "subject_details",
        values.get("subject_details"),
        label="Other details",
        limit=SHORT_TEXT_LIMIT,
    )
    cleaned["scope"] = checker.text(
        "scope",
        values.get("scope"),
        label="What was asked for",
        limit=LONG_TEXT_LIMIT,
        required="Enter what the requester asked for.",
    )
    owner = values.get("owner")
    if owner is not None and not eligible_owners().filter(pk=owner.pk).exists():
        checker.add("owner", "Choose an information governance officer who can run requests.")
    cleaned["owner"] = owner
    return cleaned


def request_create(*, actor: User, **values: Any) -> SubjectAccessRequest:
    """Log a new request; its deadline runs from the day it was received."""
    today = timezone.localdate()
    checker = Checker()
    cleaned = _check_details(values, today=today, checker=checker)
    checker.raise_if_any()
    with transaction.atomic():
        received_on: datetime.date = cleaned["received_on"]
        sar = SubjectAccessRequest(
            **{**cleaned, "owner": cleaned["owner"] or actor},
            reference=f"new-{uuid.uuid4().hex[:16]}",
            clock_started_on=received_on,
            due_on=deadlines.due_date(received_on),
            created_by=actor,
        )
        sar.save()
        # The database's id numbers the request: unique without a counter to lock.
        sar.reference = f"SAR-{received_on.year}-{sar.pk:05d}"
        sar.save(update_fields=["reference"])
        audit.record_change(
            actor=actor,
            action="create",
            instance=sar,
            person_id=None,
            changes=audit.created(sar, (*REQUEST_FIELDS, "reference", "due_on")),
            summary=f"Logged subject access request {sar.reference}",
        )
    return sar


def request_update(
    *, actor: User, sar: SubjectAccessRequest, **values: Any
) -> SubjectAccessRequest:
    """Correct the request's details; a changed date of receipt moves the deadline."""
    today = timezone.localdate()
    checker = Checker()
    cleaned = _check_details(values, today=today, checker=checker)
    checker.raise_if_any()
    with transaction.atomic():
        locked = _locked(sar)
        if locked.is_closed:
            raise ValidationError("This request is closed: its details can no longer change.")
        received_on: datetime.date = cleaned["received_on"]
        first_step = min(
            [
                *Pause.objects.filter(request=locked).values_list("asked_on", flat=True),
                *([locked.identity_verified_on] if locked.identity_verified_on else []),
            ],
            default=None,
        )
        if first_step is not None and received_on > first_step:
            raise ValidationError(
                {
                    "received_on": [
                        "The date the request was received must be on or before "
                        f"{format_day(first_step)}, when work on it is recorded as starting."
                    ]
                }
            )
        before = audit.snapshot(locked, (*REQUEST_FIELDS, *DEADLINE_FIELDS))
        for name, value in cleaned.items():
            if name == "owner" and value is None:
                continue
            setattr(locked, name, value)
        answered = (
            Pause.objects.filter(request=locked, received_on__isnull=False)
            .order_by("-received_on")
            .values_list("received_on", flat=True)
            .first()
        )
        locked.clock_started_on = max(received_on, answered) if answered else received_on
        if not locked.is_paused:
            locked.due_on = deadlines.due_date(
                locked.clock_started_on, extension_months=locked.extension_months
            )
        locked.updated_at = timezone.now()
        locked.save()
        record_request_change(
            actor=actor,
            action="update",
            locked=locked,
            before=before,
            fields=(*REQUEST_FIELDS, *DEADLINE_FIELDS),
            summary="Changed the details of a subject access request",
        )
    return refreshed(sar, locked)


def identity_record(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    verified_on: datetime.date | None,
    method: str,
    notes: str,
) -> SubjectAccessRequest:
    """Record that the requester's identity (and authority, if acting for someone) was checked."""
    today = timezone.localdate()
    checker = Checker()
    checker.day(
        "verified_on",
        verified_on,
        label="The date identity was confirmed",
        today=today,
        not_before=(
            sar.received_on,
            f"The date identity was confirmed must be on or after {format_day(sar.received_on)}, "
            "when the request was received.",
        ),
    )
    checker.choice(
        "method",
        method,
        SubjectAccessRequest.IdentityMethod,
        "Choose how the requester's identity was confirmed.",
    )
    notes = checker.text("notes", notes, label="Notes", limit=SHORT_TEXT_LIMIT)
    checker.raise_if_any()
    fields = ("identity_verified_on", "identity_method", "identity_notes")
    with transaction.atomic():
        locked = _locked(sar)
        if locked.is_closed:
            raise ValidationError("This request is closed.")
        before = audit.snapshot(locked, fields)
        locked.identity_verified_on = verified_on
        locked.identity_method = method
        locked.identity_notes = notes
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*fields, "updated_at"])
        record_request_change(
            actor=actor,
            action="verify_identity",
            locked=locked,
            before=before,
            fields=fields,
            summary="Recorded the requester's identity check",
        )
    return refreshed(sar, locked)


# -- stopping and restarting the clock --------------------------------------------------------


def pause_start(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    kind: str,
    asked_on: datetime.date | None,
    asked_how: str,
    details: str,
) -> Pause:
    """Ask the requester for identity, authority or clarification: the clock stops."""
    today = timezone.localdate()
    checker = Checker()
    checker.choice("kind", kind, Pause.Kind, "Choose what you asked the requester for.")
    checker.day(
        "asked_on",
        asked_on,
        label="The date you asked",
        today=today,
        not_before=(
            sar.received_on,
            f"The date you asked must be on or after {format_day(sar.received_on)}, when the "
            "request was received.",
        ),
    )
    checker.choice("asked_how", asked_how, Channel, "Choose how you asked.")
    details = checker.text(
        "details",
        details,
        label="What you asked for",
        limit=SHORT_TEXT_LIMIT,
        required="Enter what you asked the requester for.",
    )
    checker.raise_if_any()
    asked_on = cast(datetime.date, asked_on)  # required: checked above
    with transaction.atomic():
        locked = _locked(sar)
        _require(
            locked,
            (Status.RECEIVED, Status.IN_PROGRESS),
            "The clock can be stopped only for a request that is received or in progress.",
        )
        if locked.extension_months:
            raise ValidationError(
                "The deadline has been extended: ask for identity or clarification before "
                "extending, not after."
            )
        if locked.due_on is not None and asked_on > locked.due_on:
            raise ValidationError(
                {
                    "asked_on": [
                        f"The deadline, {format_day(locked.due_on)}, had passed by then: the "
                        "clock cannot be stopped after it."
                    ]
                }
            )
        before = audit.snapshot(locked, DEADLINE_FIELDS)
        pause = Pause.objects.create(
            request=locked,
            kind=kind,
            asked_on=asked_on,
            asked_how=asked_how,
            details=details,
            resumes_status=locked.status,
            created_by=actor,
        )
        locked.status = Status.AWAITING
        locked.due_on = None
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "due_on", "updated_at"])
        record_request_change(
            actor=actor,
            action="pause",
            locked=locked,
            before=before,
            fields=DEADLINE_FIELDS,
            summary=f"Stopped the clock: asked for {pause.get_kind_display().lower()}",
        )
    refreshed(sar, locked)
    return pause


def pause_end(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    received_on: datetime.date | None,
    notes: str,
) -> SubjectAccessRequest:
    """What was asked for arrived: the clock restarts from that day."""
    today = timezone.localdate()
    checker = Checker()
    checker.day("received_on", received_on, label="The date it arrived", today=today)
    notes = checker.text("notes", notes, label="Notes", limit=SHORT_TEXT_LIMIT)
    checker.raise_if_any()
    received_on = cast(datetime.date, received_on)  # required: checked above
    with transaction.atomic():
        locked = _locked(sar)
        pause = (
            Pause.objects.select_for_update()
            .filter(request=locked, received_on__isnull=True)
            .first()
        )
        if locked.status != Status.AWAITING or pause is None:
            raise ValidationError(
                "The clock is not stopped: nothing is awaited from the requester."
            )
        if received_on < pause.asked_on:
            raise ValidationError(
                {
                    "received_on": [
                        f"The date it arrived must be on or after {format_day(pause.asked_on)}, "
                        "when you asked for it."
                    ]
                }
            )
        before = audit.snapshot(locked, DEADLINE_FIELDS)
        pause.received_on = received_on
        pause.received_notes = notes
        pause.ended_by = actor
        pause.save(update_fields=["received_on", "received_notes", "ended_by"])
        locked.status = pause.resumes_status
        locked.clock_started_on = received_on
        locked.due_on = deadlines.due_date(received_on, extension_months=locked.extension_months)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "clock_started_on", "due_on", "updated_at"])
        record_request_change(
            actor=actor,
            action="resume",
            locked=locked,
            before=before,
            fields=DEADLINE_FIELDS,
            summary=f"Restarted the clock: {pause.get_kind_display().lower()} arrived",
        )
    return refreshed(sar, locked)


# -- who the request is about -------------------------------------------------------------------


def subject_add(*, actor: User, sar: SubjectAccessRequest, person: Person) -> RequestSubject:
    """Match the request to a person's record. `person` came through access_person for `actor`."""
    with transaction.atomic():
        locked = _locked(sar)
        _require(
            locked,
            BEFORE_REVIEW,
            "People can be added only before the file goes for review.",
        )
        if RequestSubject.objects.filter(request=locked, person=person).exists():
            raise ValidationError("This person is already on the request.")
        try:
            with transaction.atomic():
                subject = RequestSubject.objects.create(
                    request=locked, person=person, added_by=actor
                )
        except IntegrityError as error:
            raise ValidationError("This person is already on the request.") from error
        audit.record_change(
            actor=actor,
            action="create",
            instance=subject,
            person_id=person.pk,
            changes={"request": [None, locked.reference], "person": [None, person.pk]},
            summary=f"Matched subject access request {locked.reference} to the record",
        )
    return subject


def subject_remove(*, actor: User, sar: SubjectAccessRequest, subject: RequestSubject) -> None:
    """Take a wrongly matched person off the request, with anything gathered for them."""
    with transaction.atomic():
        locked = _locked(sar)
        _require(
            locked,
            BEFORE_REVIEW,
            "People can be taken off only before the file goes for review.",
        )
        row = (
            RequestSubject.objects.select_for_update().filter(pk=subject.pk, request=locked).first()
        )
        if row is None:
            raise ValidationError("This person is no longer on the request.")
        person_id, pk = row.person_id, row.pk
        items = row.items.count()
        row.delete()
        row.pk = pk
        audit.record_change(
            actor=actor,
            action="delete",
            instance=row,
            person_id=person_id,
            changes={"request": [locked.reference, None], "items": [items, None]},
            summary=f"Took the record off subject access request {locked.reference}",
        )


def work_start(*, actor: User, sar: SubjectAccessRequest) -> SubjectAccessRequest:
    """Identity confirmed and the record matched: the request is worked on."""
    with transaction.atomic():
        locked = _locked(sar)
        _require(
            locked, (Status.RECEIVED,), "Only a request that has been received can be started."
        )
        problems = []
        if locked.identity_verified_on is None:
            problems.append("Record how the requester's identity was confirmed first.")
        if not RequestSubject.objects.filter(request=locked).exists():
            problems.append("Find the person the request is about on the record first.")
        if problems:
            raise ValidationError(problems)
        before = audit.snapshot(locked, ("status",))
        locked.status = Status.IN_PROGRESS
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        record_request_change(
            actor=actor,
            action="start",
            locked=locked,
            before=before,
            fields=("status",),
            summary="Started work on a subject access request",
        )
    return refreshed(sar, locked)


# -- the deadline's one extension ------------------------------------------------------------


def deadline_extend(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    months: int | None,
    reason: str,
    told_on: datetime.date | None,
    told_how: str,
    letter: str,
) -> SubjectAccessRequest:
    """Extend by one or two further months, once, before the deadline, telling the requester."""
    today = timezone.localdate()
    checker = Checker()
    if months not in (1, 2):
        checker.add("months", "Choose an extension of 1 or 2 months.")
    reason = checker.text(
        "reason",
        reason,
        label="The reason",
        limit=SHORT_TEXT_LIMIT,
        required="Enter why the request is complex, or how many requests the person has made.",
        minimum=REASON_MIN,
    )
    checker.day(
        "told_on",
        told_on,
        label="The date the requester was told",
        today=today,
        not_before=(
            sar.received_on,
            f"The date the requester was told must be on or after {format_day(sar.received_on)}.",
        ),
    )
    checker.choice("told_how", told_how, Channel, "Choose how the requester was told.")
    letter = checker.text(
        "letter",
        letter,
        label="What the requester was told",
        limit=LONG_TEXT_LIMIT,
        required="Enter what the requester was told, or the letter sent.",
        minimum=REASON_MIN,
    )
    _check_letter(checker, letter)
    checker.raise_if_any()
    months, told_on = cast(int, months), cast(datetime.date, told_on)  # checked above
    fields = (
        "due_on",
        "extension_months",
        "extension_reason",
        "extension_told_on",
        "extension_told_how",
    )
    with transaction.atomic():
        locked = _locked(sar)
        _require(locked, RUNNING, "Only an open request whose clock is running can be extended.")
        if locked.extension_months:
            raise ValidationError(
                "The deadline has already been extended: it can be extended once."
            )
        if locked.due_on is None:
            raise ValidationError("The clock is stopped: there is no deadline to extend.")
        if today > locked.due_on:
            raise ValidationError(
                f"The deadline, {format_day(locked.due_on)}, has passed: it can be extended only "
                "before it does."
            )
        if told_on > locked.due_on:
            raise ValidationError(
                {
                    "told_on": [
                        "The requester must be told of the extension by the deadline, "
                        f"{format_day(locked.due_on)}."
                    ]
                }
            )
        before = audit.snapshot(locked, fields)
        locked.extension_months = months
        locked.extension_reason = reason
        locked.extension_told_on = told_on
        locked.extension_told_how = told_how
        locked.extension_letter = letter
        locked.extended_at = timezone.now()
        locked.extended_by = actor
        locked.due_on = deadlines.due_date(locked.clock_started_on, extension_months=months)
        locked.updated_at = timezone.now()
        locked.save()
        record_request_change(
            actor=actor,
            action="extend",
            locked=locked,
            before=before,
            fields=fields,
            summary=f"Extended the deadline by {months} month{'s' if months > 1 else ''}",
            reason=reason,
        )
    return refreshed(sar, locked)


# -- closing without a release ----------------------------------------------------------------


def request_close(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    outcome: str,
    closed_on: datetime.date | None,
    reason: str,
    ground: str = "",
    exemption: str = "",
    told_on: datetime.date | None = None,
    told_how: str = "",
    letter: str = "",
) -> SubjectAccessRequest:
    """Refuse the request (with the ground, and the exemption it rests on), or record that the
    requester withdrew it. A refusal records how the requester was told."""
    today = timezone.localdate()
    checker = Checker()
    if outcome not in (Status.REFUSED, Status.WITHDRAWN):
        checker.add("outcome", "Choose whether the request is refused or was withdrawn.")
    not_before = (
        sar.received_on,
        f"The date must be on or after {format_day(sar.received_on)}, when the request was received.",
    )
    checker.day("closed_on", closed_on, label="The date", today=today, not_before=not_before)
    reason = checker.text(
        "reason",
        reason,
        label="The reason",
        limit=SHORT_TEXT_LIMIT,
        required="Enter the reason.",
        minimum=REASON_MIN,
    )
    if outcome == Status.REFUSED:
        ground = checker.choice(
            "ground",
            ground,
            SubjectAccessRequest.ClosureGround,
            "Choose the ground for refusing the request.",
        )
        if ground == SubjectAccessRequest.ClosureGround.EXEMPTION:
            exemption = checker.choice(
                "exemption", exemption, Exemption, "Choose the exemption the refusal rests on."
            )
        else:
            exemption = ""
        checker.day(
            "told_on",
            told_on,
            label="The date the requester was told",
            today=today,
            not_before=not_before,
        )
        checker.choice("told_how", told_how, Channel, "Choose how the requester was told.")
        letter = checker.text(
            "letter",
            letter,
            label="What the requester was told",
            limit=LONG_TEXT_LIMIT,
            required="Enter what the requester was told, or the letter sent.",
            minimum=REASON_MIN,
        )
        _check_letter(checker, letter)
    else:
        ground, exemption, told_on, told_how, letter = "", "", None, "", ""
    checker.raise_if_any()
    fields = (
        "status",
        "closed_on",
        "closure_ground",
        "closure_exemption",
        "closure_reason",
        "closure_told_on",
        "closure_told_how",
    )
    with transaction.atomic():
        locked = _locked(sar)
        if locked.is_closed:
            raise ValidationError("This request is already closed.")
        before = audit.snapshot(locked, fields)
        locked.status = outcome
        locked.closed_on = closed_on
        locked.closure_ground = ground
        locked.closure_exemption = exemption
        locked.closure_reason = reason
        locked.closure_told_on = told_on
        locked.closure_told_how = told_how
        locked.closure_letter = letter
        locked.updated_at = timezone.now()
        locked.save()
        # Whatever was awaited is no longer.
        Pause.objects.filter(request=locked, received_on__isnull=True).delete()
        record_request_change(
            actor=actor,
            action="refuse" if outcome == Status.REFUSED else "withdraw",
            locked=locked,
            before=before,
            fields=fields,
            summary="Refused a subject access request"
            if outcome == Status.REFUSED
            else "Recorded that a subject access request was withdrawn",
            reason=reason,
        )
    return refreshed(sar, locked)


# -- the daily reminders ---------------------------------------------------------------------


def _notify(sar: SubjectAccessRequest, kind: str, today: datetime.date) -> bool:
    """One reminder for this deadline and kind, to the owner; False if it was sent already."""
    due_on = cast(datetime.date, sar.due_on)  # only asked for requests with a deadline
    with transaction.atomic():
        notice, created = DeadlineNotice.objects.get_or_create(
            request=sar, kind=kind, due_on=due_on, defaults={"recipient": sar.owner}
        )
        if not created:
            return False
        days = (due_on - today).days
        if kind == DeadlineNotice.Kind.OVERDUE:
            subject = f"{sar.reference} is overdue: it was due on {format_day(due_on)}"
        elif days == 0:
            subject = f"{sar.reference} is due today"
        else:
            plural = "s" if days != 1 else ""
            subject = f"{sar.reference} is due in {days} day{plural}, on {format_day(due_on)}"
        # A request whose owner has left is nobody's: every officer who runs requests hears.
        recipients = [sar.owner] if sar.owner.is_active else list(eligible_owners())
        notifications.notification_send(
            recipients=recipients,
            subject=subject,
            body=(
                f"Subject access request {sar.reference} ({sar.get_status_display().lower()}) "
                f"must be answered by {format_day(due_on)}."
            ),
            link=reverse("subject_access:request-detail", kwargs={"sar_id": sar.pk}),
            email_subject="A subject access request needs attention",
            email_body=(
                "A subject access request you own is near or past its deadline. Sign in and "
                "open Notifications to see which."
            ),
        )
        audit.record_change(
            actor=None,
            action="notify",
            instance=notice,
            person_id=None,
            changes=audit.created(notice, ("request", "kind", "due_on", "recipient")),
            summary=f"Reminded the owner of {sar.reference}: {notice.get_kind_display().lower()}",
        )
    return True


def due_requests_flag(*, today: datetime.date | None = None) -> int:
    """Tell each open request's owner when its deadline is 7 days away or has passed (once each)."""
    today = today or timezone.localdate()
    sent = 0
    due = (
        SubjectAccessRequest.objects.open()
        .filter(
            due_on__isnull=False,
            due_on__lte=today + datetime.timedelta(days=deadlines.DUE_SOON_DAYS),
        )
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    for sar in due.iterator(chunk_size=200):
        overdue = sar.due_on is not None and sar.due_on < today
        kind = DeadlineNotice.Kind.OVERDUE if overdue else DeadlineNotice.Kind.DUE_SOON
        sent += _notify(sar, kind, today)
    return sent
