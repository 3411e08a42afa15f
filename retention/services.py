"""Writes for records retention: the review list, decisions on it, legal holds, the rules."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from casemgmt import audit
from casemgmt.jobs import job_start
from casemgmt.models import User
from clients import validators
from clients.models import Person
from clients.record_access import validate_reason
from retention import erasure
from retention.dates import (
    DUE_SQL,
    Outcome,
    Retention,
    active_rules,
    add_years,
    retention_of,
    retention_select_sql,
    statement_parameters,
)
from retention.models import (
    LegalHold,
    RetentionReview,
    RetentionReviewRun,
    RetentionRule,
    max_years_after_birth,
)

REFERENCE_MAX_LENGTH = 100
# People per statement of the nightly job: one id range each, so a million people is a
# hundred statements, each reading its range's rows through the person_id indexes.
REVIEW_BATCH_SIZE = 10_000

HOLD_FIELDS = ("person", "reason", "reference", "placed_by", "placed_at")
RELEASE_FIELDS = ("released_by", "released_at", "release_reason")
DECISION_FIELDS = ("status", "decided_by", "decided_at", "decision_reason", "retain_until")
RULE_FIELDS = (
    "name",
    "category",
    "description",
    "trigger",
    "years",
    "second_trigger",
    "second_years",
    "combine",
    "second_only_if_died_before_age",
    "precedence",
    "is_active",
)


class Decision:
    DESTROY = "destroy"
    RETAIN = "retain"
    HOLD = "hold"
    CHOICES = (
        (DESTROY, "Destroy the record"),
        (RETAIN, "Keep the record until a later date"),
        (HOLD, "Place a legal hold"),
    )
    LABELS = dict(CHOICES)


_DECISION_ACTIONS = {
    Decision.DESTROY: "retention_propose_destruction",
    Decision.RETAIN: "retention_retain",
    Decision.HOLD: "retention_hold",
}


def format_day(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _clean_reference(value: str | None, errors: dict[str, list[str]]) -> str:
    try:
        reference = validators.validate_text(
            value or "", label="Reference", max_length=REFERENCE_MAX_LENGTH
        )
    except ValidationError as error:
        errors["reference"] = error.messages
        return ""
    if "\n" in reference or "\r" in reference:
        errors["reference"] = ["Reference must be on one line."]
    elif not reference:
        errors["reference"] = [
            "Enter the reference of the court case, inquiry or claim, for example IICSA."
        ]
    return reference


def _clean_reason(value: str | None, errors: dict[str, list[str]]) -> str:
    try:
        return validate_reason(value)
    except ValidationError as error:
        errors["reason"] = error.messages
        return ""


def not_due_message(retention: Retention) -> str:
    """Why a record is no longer due for review, as a sentence."""
    if retention.outcome == Outcome.ONGOING:
        return "The record is no longer due: work with the person is ongoing."
    return (
        "The record is no longer due: its retention period now ends on "
        f"{format_day(retention.date)}."
    )


# ------------------------------------------------------------------------------------------
# Legal holds
# ------------------------------------------------------------------------------------------


def _hold_create(*, actor: User, person: Person, reason: str, reference: str) -> LegalHold:
    """Create the hold and take the record off the review list (inside a transaction)."""
    # The destruction job locks this row for each batch: a hold waits for the batch in
    # hand, and the next batch sees it.
    Person.objects.select_for_update().filter(pk=person.pk).exists()
    hold = LegalHold.objects.create(
        person=person, reason=reason, reference=reference, placed_by=actor
    )
    audit.record_change(
        actor=actor,
        action="legal_hold_place",
        instance=hold,
        person_id=person.pk,
        changes=audit.created(hold, HOLD_FIELDS),
        summary=f"Placed a legal hold on the record ({reference})",
        reason=reason,
    )
    for review in RetentionReview.objects.select_for_update().filter(
        person=person,
        status__in=[RetentionReview.Status.PENDING, RetentionReview.Status.DESTROY_PROPOSED],
    ):
        before = audit.snapshot(review, ["status", "closed_note"])
        review.status = RetentionReview.Status.HELD
        review.legal_hold = hold
        review.decided_by = review.decided_by or actor
        review.decided_at = review.decided_at or timezone.now()
        review.closed_at = timezone.now()
        review.closed_note = f"Legal hold {reference} placed."[:300]
        review.save(
            update_fields=[
                "status",
                "legal_hold",
                "decided_by",
                "decided_at",
                "closed_at",
                "closed_note",
            ]
        )
        audit.record_change(
            actor=actor,
            action="retention_hold",
            instance=review,
            person_id=person.pk,
            changes=audit.diff(before, audit.snapshot(review, ["status", "closed_note"])),
            summary="Took the record off the retention review list: legal hold",
            reason=reason,
        )
    return hold


def legal_hold_place(
    *, actor: User, person: Person, reason: str | None, reference: str | None
) -> LegalHold:
    """Stop anything of the person's record being destroyed until the hold is released."""
    errors: dict[str, list[str]] = {}
    cleaned_reason = _clean_reason(reason, errors)
    cleaned_reference = _clean_reference(reference, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _hold_create(
            actor=actor, person=person, reason=cleaned_reason, reference=cleaned_reference
        )


def legal_hold_release(*, actor: User, hold: LegalHold, reason: str | None) -> LegalHold:
    """Release a hold, saying why (the record may then come back onto the review list)."""
    errors: dict[str, list[str]] = {}
    cleaned = _clean_reason(reason, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if not locked.is_active:
            raise ValidationError({"reason": ["This hold has already been released."]})
        before = audit.snapshot(locked, RELEASE_FIELDS)
        locked.released_by = actor
        locked.released_at = timezone.now()
        locked.release_reason = cleaned
        locked.save(update_fields=list(RELEASE_FIELDS))
        audit.record_change(
            actor=actor,
            action="legal_hold_release",
            instance=locked,
            person_id=locked.person_id,
            changes=audit.diff(before, audit.snapshot(locked, RELEASE_FIELDS)),
            summary=f"Released the legal hold {locked.reference}",
            reason=cleaned,
        )
    return locked


# ------------------------------------------------------------------------------------------
# Decisions on the review list
# ------------------------------------------------------------------------------------------


def _latest_keep_date(person: Person, today: datetime.date) -> datetime.date:
    cap = max_years_after_birth()
    if person.date_of_birth is not None:
        return add_years(person.date_of_birth, cap)
    return add_years(today, cap)


def _clean_retain_until(
    value: datetime.date | None, person: Person, today: datetime.date, errors: dict
) -> datetime.date | None:
    if value is None:
        errors["retain_until"] = ["Enter the date to keep the record until."]
        return None
    if value <= today:
        errors["retain_until"] = ["The date to keep the record until must be in the future."]
        return None
    latest = _latest_keep_date(person, today)
    if value > latest:
        cap = max_years_after_birth()
        errors["retain_until"] = [
            f"The record cannot be kept past {format_day(latest)}: no record is kept more "
            f"than {cap} years after the date of birth."
            if person.date_of_birth
            else f"The date to keep the record until must be within {cap} years."
        ]
        return None
    return value


def _locked_review(review: RetentionReview, *statuses: str) -> RetentionReview:
    locked = (
        RetentionReview.objects.select_for_update(of=("self",))
        .select_related("person", "rule")
        .get(pk=review.pk)
    )
    if locked.status not in statuses:
        raise ValidationError(
            {
                "__all__": [
                    f"This record has already been dealt with: {locked.get_status_display()}."
                ]
            }
        )
    return locked


def _check_destroyable(review: RetentionReview, today: datetime.date) -> None:
    hold = LegalHold.objects.active().filter(person_id=review.person_id).first()
    if hold is not None:
        raise ValidationError(
            {
                "__all__": [
                    f"The record is under the legal hold {hold.reference}: nothing of it may "
                    "be destroyed until the hold is released."
                ]
            }
        )
    retention = retention_of(review.person, today=today)
    if not retention.is_due(today):
        raise ValidationError({"__all__": [not_due_message(retention)]})


def review_decide(
    *,
    actor: User,
    review: RetentionReview,
    decision: str,
    reason: str | None,
    retain_until: datetime.date | None = None,
    reference: str | None = None,
) -> RetentionReview:
    """Decide on a record on the review list: destroy (to be confirmed), retain, or hold."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if decision not in Decision.LABELS:
        errors["decision"] = ["Choose what should happen to the record."]
    cleaned_reason = _clean_reason(reason, errors)
    until = None
    cleaned_reference = ""
    if decision == Decision.RETAIN:
        until = _clean_retain_until(retain_until, review.person, today, errors)
    elif decision == Decision.HOLD:
        cleaned_reference = _clean_reference(reference, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_review(review, RetentionReview.Status.PENDING)
        before = audit.snapshot(locked, DECISION_FIELDS)
        now = timezone.now()
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_reason = cleaned_reason
        fields = ["decided_by", "decided_at", "decision_reason", "status"]
        if decision == Decision.DESTROY:
            _check_destroyable(locked, today)
            locked.status = RetentionReview.Status.DESTROY_PROPOSED
            summary = "Proposed destroying the record (awaiting a second officer)"
        elif decision == Decision.RETAIN:
            locked.status = RetentionReview.Status.RETAINED
            locked.retain_until = until
            locked.closed_at = now
            locked.closed_note = f"Kept until {format_day(until)}."
            fields += ["retain_until", "closed_at", "closed_note"]
            summary = f"Decided to keep the record until {format_day(until)}"
        else:
            # The hold takes every open review of the person off the list, this one too.
            _hold_create(
                actor=actor,
                person=locked.person,
                reason=cleaned_reason,
                reference=cleaned_reference,
            )
            locked.refresh_from_db()
            locked.decision_reason = cleaned_reason
            locked.save(update_fields=["decision_reason"])
            return locked
        locked.save(update_fields=fields)
        audit.record_change(
            actor=actor,
            action=_DECISION_ACTIONS[decision],
            instance=locked,
            person_id=locked.person_id,
            changes=audit.diff(before, audit.snapshot(locked, DECISION_FIELDS)),
            summary=summary,
            reason=cleaned_reason,
        )
    return locked


def review_confirm_destruction(
    *, actor: User, review: RetentionReview, confirmed: bool
) -> RetentionReview:
    """A second officer agrees: the destruction job starts once this commits."""
    if not confirmed:
        raise ValidationError(
            {"confirmed": ["Confirm that the record should be destroyed: this cannot be undone."]}
        )
    today = timezone.localdate()
    with transaction.atomic():
        locked = _locked_review(review, RetentionReview.Status.DESTROY_PROPOSED)
        if locked.decided_by_id == actor.pk:
            raise ValidationError(
                {
                    "__all__": [
                        "You proposed destroying this record: another officer must confirm it."
                    ]
                }
            )
        _check_destroyable(locked, today)
        before = audit.snapshot(locked, ["status", "confirmed_by", "confirmed_at"])
        job = job_start(
            actor=actor,
            kind=erasure.JOB_KIND,
            # No name: the job outlives the record, and its title is shown on its own.
            title=f"Destruction of record {locked.person_id}",
            params={"person_id": locked.person_id, "review_id": locked.pk},
        )
        locked.status = RetentionReview.Status.DESTROYING
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.job = job
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "job"])
        audit.record_change(
            actor=actor,
            action="retention_destroy_confirmed",
            instance=locked,
            person_id=locked.person_id,
            changes=audit.diff(
                before, audit.snapshot(locked, ["status", "confirmed_by", "confirmed_at"])
            ),
            summary="Confirmed destroying the record (the second officer)",
        )
    return locked


def review_send_back(
    *, actor: User, review: RetentionReview, reason: str | None
) -> RetentionReview:
    """Withdraw a proposal to destroy: the record goes back to be reviewed again."""
    errors: dict[str, list[str]] = {}
    cleaned = _clean_reason(reason, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_review(review, RetentionReview.Status.DESTROY_PROPOSED)
        before = audit.snapshot(locked, DECISION_FIELDS)
        locked.status = RetentionReview.Status.PENDING
        locked.decided_by = None
        locked.decided_at = None
        locked.decision_reason = ""
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit.record_change(
            actor=actor,
            action="retention_sent_back",
            instance=locked,
            person_id=locked.person_id,
            changes=audit.diff(before, audit.snapshot(locked, DECISION_FIELDS)),
            summary="Sent the proposal to destroy the record back for review",
            reason=cleaned,
        )
    return locked


# ------------------------------------------------------------------------------------------
# The nightly review list
# ------------------------------------------------------------------------------------------


def _build_sql() -> str:
    review = connection.ops.quote_name(RetentionReview._meta.db_table)
    hold = connection.ops.quote_name(LegalHold._meta.db_table)
    open_statuses = ", ".join(f"'{status}'" for status in RetentionReview.OPEN_STATUSES)
    due = DUE_SQL
    return f""",
    lapsed AS (
        UPDATE {review} r
        SET status = 'lapsed', closed_at = %(now)s,
            closed_note = CASE WHEN final.kind = 2
                THEN 'No longer due: work with the person is ongoing.'
                ELSE 'No longer due: the retention period now ends on '
                     || to_char(final.day, 'FMDD FMMonth YYYY') || '.' END
        FROM final
        WHERE r.person_id = final.id AND r.status IN ('pending', 'destroy_proposed')
          AND NOT {due}
        RETURNING r.id
    ),
    added AS (
        INSERT INTO {review} (person_id, rule_id, category, retention_date,
                              undetermined_reason, added_at, status, decision_reason,
                              closed_note)
        SELECT final.id, final.rule_id, final.category, final.day, final.reason,
               %(now)s, 'pending', '', ''
        FROM final
        WHERE {due}
          AND NOT EXISTS (SELECT 1 FROM {hold} h
                          WHERE h.person_id = final.id AND h.released_at IS NULL)
          AND NOT EXISTS (SELECT 1 FROM {review} r
                          WHERE r.person_id = final.id
                            AND (r.status IN ({open_statuses})
                                 OR (r.status = 'retained' AND r.retain_until >= %(today)s)))
        ON CONFLICT DO NOTHING
        RETURNING id
    )
    SELECT (SELECT count(*) FROM final), (SELECT count(*) FROM added),
           (SELECT count(*) FROM lapsed)"""  # noqa: S608 (table names from the models)


def review_list_build(
    *, today: datetime.date | None = None, batch_size: int = REVIEW_BATCH_SIZE
) -> RetentionReviewRun:
    """Add the records whose retention has ended (not held, not already under review).

    Set-based, one statement per range of person ids; safe to run again, or twice at once
    (one open review per person). Entries no longer due (new work, a new date) lapse.
    """
    today = today or timezone.localdate()
    sql = retention_select_sql(active_rules()) + _build_sql()
    run = RetentionReviewRun.objects.create(as_of=today)
    bounds = Person.objects.current().aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is not None:
        lo, hi = int(bounds["lo"]), int(bounds["hi"])
        while lo <= hi:
            parameters = statement_parameters(lo=lo, hi=min(lo + batch_size - 1, hi), today=today)
            parameters["now"] = timezone.now()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, parameters)
                checked, added, lapsed = cursor.fetchone()
            run.people_checked += int(checked)
            run.added += int(added)
            run.lapsed += int(lapsed)
            lo += batch_size
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.save(update_fields=["people_checked", "added", "lapsed", "finished_at"])
        audit.record_change(
            actor=None,
            action="retention_review_list",
            instance=run,
            person_id=None,
            changes={
                "people_checked": [None, run.people_checked],
                "added": [None, run.added],
                "lapsed": [None, run.lapsed],
            },
            summary=f"Built the retention review list: {run.added} added, {run.lapsed} no longer due",
        )
    return run


# ------------------------------------------------------------------------------------------
# The rules (Django admin)
# ------------------------------------------------------------------------------------------


def retention_rule_save(*, actor: User, rule: RetentionRule) -> RetentionRule:
    """Save a rule edited in the admin (already validated by its form), audited."""
    rule.full_clean()
    with transaction.atomic():
        is_new = rule.pk is None
        before = (
            {} if is_new else audit.snapshot(RetentionRule.objects.get(pk=rule.pk), RULE_FIELDS)
        )
        rule.updated_at = timezone.now()
        rule.save()
        after = audit.snapshot(rule, RULE_FIELDS)
        audit.record_change(
            actor=actor,
            action="create" if is_new else "update",
            instance=rule,
            person_id=None,
            changes=audit.created(rule, RULE_FIELDS) if is_new else audit.diff(before, after),
            summary=f"{'Added' if is_new else 'Changed'} the retention rule “{rule.name}”",
        )
    return rule
