"""Destroying a record once two officers have agreed: every row of the person, then a tombstone.

`RECORD_ROWS` says which tables hold a person's record and through which foreign keys a
row belongs to it: pointing at the person (or at a record merged into theirs), or at a
row that itself belongs (a step's drafts, a document's versions). Every foreign key to
Person must be listed, and every required foreign key to a row that is destroyed; a
nullable one from elsewhere (another child's statutory fact written by a step of this
record) is cleared instead. `plan_problems()` checks this against the models, so a table
added later cannot be left behind (tests/retention/test_erasure.py).

The job deletes table by table, children before parents, a batch per transaction. Each
batch first locks the person's row and checks for a legal hold, so a hold placed at any
moment stops the job before its next batch; the rows deleted and the files to remove are
saved in the job's state in the same transaction, so a killed worker's successor carries
on without counting anything twice. Stored files are removed once the rows that named
them are gone. The person rows, the retention rows and the tombstone go in one last
transaction. Audit rows are never touched (the database refuses it): they keep the
person id they were written with.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from casemgmt import audit
from casemgmt.jobs import JobReporter, register
from casemgmt.models import Job, Notification
from clients.models import Person
from retention.models import LegalHold, RetentionReview, Tombstone

JOB_KIND = "retention.destroy_record"
BATCH_SIZE = 500

RECORD_ROWS: dict[str, tuple[str, ...]] = {
    # The person, and the records merged into theirs earlier (their rows moved across
    # already; the merged person rows are all that is left of them).
    "clients.person": ("merged_into",),
    "clients.personname": ("person",),
    "clients.personidentifier": ("person",),
    "clients.persondisability": ("person",),
    "clients.address": ("person",),
    "clients.personmerge": ("kept", "merged"),
    "clients.recordaccessgrant": ("person",),
    "clients.alert": ("person",),
    "clients.chronologyentry": ("person",),
    "clients.groupmembership": ("person",),
    "clients.involvement": ("person",),
    "clients.casenote": ("person",),
    # Both directions: the person's relationships, and other people's with them.
    "clients.relationship": ("person", "other"),
    # Work on the person: episodes, steps, what hangs off a step.
    "workflows.episode": ("person",),
    "workflows.step": ("person", "episode"),
    "workflows.steplink": ("from_step", "to_step"),
    "workflows.stepdraft": ("step",),
    "workflows.stepdecision": ("step",),
    # The statutory facts of children's services.
    "workflows.contact": ("person",),
    "workflows.referral": ("person",),
    "workflows.assessment": ("person", "referral"),
    "workflows.strategydiscussion": ("person", "referral"),
    "workflows.s47enquiry": ("person", "referral"),
    "workflows.childprotectionconference": ("person", "referral"),
    "workflows.cpplan": ("person", "referral"),
    "workflows.cinplan": ("person", "referral"),
    "workflows.upnunknown": ("person",),
    "workflows.careperiod": ("person",),
    "workflows.legalstatus": ("person", "care_period"),
    "workflows.placement": ("person", "care_period"),
    "workflows.lookedafterreview": ("person", "care_period"),
    "workflows.missingepisode": ("person",),
    "workflows.careleavercontact": ("person",),
    "workflows.adoptiondecision": ("person",),
    "workflows.adoptionmatch": ("person", "decision"),
    "workflows.previouspermanence": ("person",),
    "workflows.uascstatus": ("person",),
    "workflows.healthcheck": ("person",),
    "workflows.sdqscore": ("person",),
    "workflows.substancemisuse": ("person",),
    "workflows.conviction": ("person",),
    # And of adults' services. A carer's assessment is the carer's; the link to each
    # person it is about goes with either of them.
    "workflows.request": ("person",),
    "workflows.needsassessment": ("person",),
    "workflows.adultcircumstances": ("person",),
    "workflows.carerassessment": ("person",),
    "workflows.carerassessment_cared_for": ("person", "carerassessment"),
    "workflows.supportplan": ("person",),
    "workflows.supportplanservice": ("person", "plan"),
    "workflows.adultreview": ("person",),
    "workflows.safeguardingconcern": ("person",),
    "workflows.s42enquiry": ("person", "concern"),
    "workflows.dolsapplication": ("person",),
    # Documents, their versions (each a stored file) and what generated them.
    "documents.document": ("person",),
    "documents.documentversion": ("document",),
    "documents.generateddocument": ("document", "document_version", "step"),
    # A subject access request about the person keeps its own case (the requester, the
    # dates); the link to the destroyed record and what was gathered from it go.
    "subject_access.requestsubject": ("person",),
    "subject_access.reviewitem": ("subject",),
    "subject_access.redaction": ("item",),
    # Retention's own rows: released holds, and the reviews (the tombstone keeps who decided).
    "retention.legalhold": ("person",),
    "retention.retentionreview": ("person",),
}
# Deleted last, together with the tombstone, in one transaction: until then the review
# says where the destruction has got to, and a stopped job leaves the person row.
FINAL = ("retention.legalhold", "retention.retentionreview", "clients.person")


class ErasureRefused(Exception):
    """The record cannot be destroyed (now): a legal hold, or it is not confirmed."""


# ------------------------------------------------------------------------------------------
# The plan, from the models
# ------------------------------------------------------------------------------------------


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _foreign_keys(model: type[models.Model]) -> Iterable[models.ForeignKey[Any, Any]]:
    for field in model._meta.local_fields:
        if isinstance(field, models.ForeignKey):
            yield field


def plan_problems(model_list: Iterable[type[models.Model]] | None = None) -> list[str]:
    """What erasure would leave behind or trip over, given these models (default: all)."""
    problems: list[str] = []
    for label, names in RECORD_ROWS.items():
        try:
            model = _model(label)
        except LookupError:
            problems.append(f"{label} is listed in RECORD_ROWS but is not a model.")
            continue
        for name in names:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                problems.append(f"{label}.{name} is listed in RECORD_ROWS but is not a field.")
                continue
            if (
                not isinstance(field, models.ForeignKey)
                or _label(field.related_model) not in RECORD_ROWS
            ):
                problems.append(f"{label}.{name} does not point at rows of a record.")
    every = model_list if model_list is not None else apps.get_models(include_auto_created=True)
    for model in every:
        for field in _foreign_keys(model):
            target = _label(field.related_model)
            if target not in RECORD_ROWS:
                continue
            if field.name in RECORD_ROWS.get(_label(model), ()):
                continue
            if target == "clients.person":
                problems.append(
                    f"{_label(model)}.{field.name} points at a person, and destroying a record "
                    "does not say what becomes of its rows: add it to retention.erasure."
                    "RECORD_ROWS (or keep a plain id instead, as the audit trail does)."
                )
            elif not field.null:
                problems.append(
                    f"{_label(model)}.{field.name} must point at a row of {target}, which "
                    "destroying a record deletes: add it to retention.erasure.RECORD_ROWS."
                )
    if not problems:
        try:
            deletion_order()
        except ValueError as error:
            problems.append(str(error))
    return problems


def deletion_order() -> list[str]:
    """The tables of a record, each after every table whose rows belong to its rows."""
    batched = [label for label in RECORD_ROWS if label not in FINAL]
    before: dict[str, set[str]] = {label: set() for label in batched}
    for label in batched:
        model = _model(label)
        for name in RECORD_ROWS[label]:
            target = _label(model._meta.get_field(name).related_model)  # type: ignore[arg-type]
            if target in before and target != label:
                # `label`'s rows point at `target`'s: they go first.
                before[target].add(label)
            elif target == label:
                raise ValueError(f"{label}.{name} makes a record's rows point at each other.")
    order: list[str] = []
    waiting = dict(before)
    while waiting:
        ready = sorted(label for label, children in waiting.items() if children <= set(order))
        if not ready:
            raise ValueError(f"These tables point at each other: {sorted(waiting)}")
        order.extend(ready)
        for label in ready:
            del waiting[label]
    return order


def people_of(person_id: int) -> list[int]:
    """The person and every record merged into theirs (at any depth)."""
    found = [person_id]
    frontier = [person_id]
    while frontier:
        frontier = list(
            Person._base_manager.filter(merged_into_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found.extend(frontier)
    return found


def record_rows(label: str, people: list[int]) -> models.QuerySet[Any]:
    """The rows of `label` that belong to the record of `people`."""
    model = _model(label)
    if label == "clients.person":
        return Person._base_manager.filter(pk__in=people)
    condition = Q()
    for name in RECORD_ROWS[label]:
        field = model._meta.get_field(name)
        target = _label(field.related_model)  # type: ignore[arg-type]
        attname = field.attname  # type: ignore[union-attr]
        if target == "clients.person":
            condition |= Q(**{f"{attname}__in": people})
        else:
            condition |= Q(**{f"{attname}__in": record_rows(target, people).values("pk")})
    return model._base_manager.filter(condition)


def record_counts(people: list[int]) -> dict[str, int]:
    """How many rows of each table the record holds (tables with none left out)."""
    counts = {}
    for label in [*deletion_order(), *FINAL]:
        number = record_rows(label, people).count()
        if number:
            counts[label] = number
    return counts


@dataclass(frozen=True)
class _Pointer:
    model: type[models.Model]
    field: models.ForeignKey[Any, Any]


@functools.cache
def _pointers_to_clear(label: str) -> list[_Pointer]:
    """Nullable foreign keys at `label`'s rows that do not make a row part of the record."""
    pointers = []
    for model in apps.get_models(include_auto_created=True):
        for field in _foreign_keys(model):
            if (
                _label(field.related_model) == label
                and field.null
                and field.name not in RECORD_ROWS.get(_label(model), ())
            ):
                pointers.append(_Pointer(model, field))
    return pointers


def _delete(label: str, ids: list[Any]) -> int:
    """Delete these rows of `label`, clearing first what points at them from elsewhere."""
    model = _model(label)
    for pointer in _pointers_to_clear(label):
        pointer.model._base_manager.filter(**{f"{pointer.field.attname}__in": ids}).update(
            **{pointer.field.name: None}
        )
    table = connection.ops.quote_name(model._meta.db_table)
    key = connection.ops.quote_name(str(model._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {key} = ANY(%s)", [ids])  # noqa: S608 (names from the model)
        return int(cursor.rowcount)


def _file_names(label: str, ids: list[Any]) -> list[list[str]]:
    """[label, field, name] of every stored file the rows name."""
    model = _model(label)
    files = []
    for field in model._meta.local_fields:
        if isinstance(field, models.FileField):
            for name in model._base_manager.filter(pk__in=ids).values_list(field.name, flat=True):
                if name:
                    files.append([label, field.name, name])
    return files


# ------------------------------------------------------------------------------------------
# The job
# ------------------------------------------------------------------------------------------


def _holds_on(people: list[int]) -> LegalHold | None:
    return LegalHold.objects.active().filter(person_id__in=people).order_by("placed_at").first()


def _lock_person(person_id: int) -> bool:
    """Lock the person's row (a hold being placed waits for the batch); False if gone."""
    return Person._base_manager.select_for_update().filter(pk=person_id).exists()


def _stop_for_hold(job: Job, review_id: int, hold: LegalHold, state: dict[str, Any]) -> str:
    destroyed = sum(int(n) for n in state.get("counts", {}).values())
    note = (
        f"Destruction stopped by the legal hold {hold.reference} placed on "
        f"{timezone.localtime(hold.placed_at):%d/%m/%Y}"
        + (f", after {destroyed} rows had been destroyed." if destroyed else ".")
    )
    review = RetentionReview.objects.select_for_update().filter(pk=review_id).first()
    if review is not None and review.status == RetentionReview.Status.DESTROYING:
        before = audit.snapshot(review, ["status", "closed_note"])
        review.status = RetentionReview.Status.HELD
        review.legal_hold = hold
        review.closed_at = timezone.now()
        review.closed_note = note[:300]
        review.save(update_fields=["status", "legal_hold", "closed_at", "closed_note"])
        audit.record_change(
            actor=None,
            action="retention_destruction_stopped",
            instance=review,
            person_id=review.person_id,
            changes=audit.diff(before, audit.snapshot(review, ["status", "closed_note"])),
            summary="Destruction of the record stopped by a legal hold",
        )
    return note


def _remove_files(files: list[list[str]]) -> None:
    for label, field_name, name in files:
        field = _model(label)._meta.get_field(field_name)
        field.storage.delete(name)  # type: ignore[union-attr]


def _finish(
    *, job: Job, reporter: JobReporter, review: RetentionReview, people: list[int], state: dict
) -> Tombstone:
    """The retention rows and the person rows, the tombstone and the audit event, at once."""
    counts: dict[str, int] = defaultdict(int, state.get("counts", {}))
    for label in FINAL:
        rows = record_rows(label, people)
        if label == "clients.person":
            # Merged records point at the person kept: let go of that first.
            rows.exclude(merged_into__isnull=True).update(merged_into=None)
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            counts[label] += _delete(label, ids)
    person_id = people[0]
    for pid in people:
        # Notifications name the person (break the glass): keep that they were sent.
        prefix = reverse("clients:person-detail", kwargs={"person_id": pid})
        Notification.objects.filter(link__startswith=prefix).update(
            subject="About a record that has since been destroyed", body="", link=""
        )
    # Other jobs about the person (case file exports) carry their name in the title.
    Job.objects.filter(params__person_id__in=people).exclude(pk=job.pk).update(
        title="A job about a record that has since been destroyed",
        params={},
        result={},
        state={},
    )
    tombstone = Tombstone.objects.create(
        former_person_id=person_id,
        merged_person_ids=[pid for pid in people if pid != person_id],
        rule=review.rule,
        rule_name=review.rule.name if review.rule else "",
        category=review.category,
        retention_date=review.retention_date,
        review_added_at=review.added_at,
        # The review's four-eyes constraint guarantees both while it is being destroyed.
        decided_by_id=cast(int, review.decided_by_id),
        decided_at=cast(datetime.datetime, review.decided_at),
        confirmed_by_id=cast(int, review.confirmed_by_id),
        confirmed_at=cast(datetime.datetime, review.confirmed_at),
        job=job,
        counts=dict(counts),
        files_deleted=int(state.get("files", 0)),
    )
    audit.record_change(
        actor=job.created_by,
        action="retention_destroy",
        instance=tombstone,
        person_id=person_id,
        changes={
            "rows_destroyed": [None, dict(counts)],
            "files_deleted": [None, tombstone.files_deleted],
            "merged_records_destroyed": [None, tombstone.merged_person_ids],
        },
        summary=f"Destroyed the record under the rule “{tombstone.rule_name or 'none'}”",
    )
    state["counts"] = dict(counts)
    state["tombstone_id"] = tombstone.pk
    reporter.progress(int(state.get("total", 0)), int(state.get("total", 0)), state=state)
    return tombstone


def _result(tombstone: Tombstone) -> dict[str, Any]:
    return {
        "tombstone_id": tombstone.pk,
        "former_person_id": tombstone.former_person_id,
        "rows": tombstone.rows_destroyed,
        "files": tombstone.files_deleted,
    }


@register(JOB_KIND)
def destroy_record(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """Destroy the record of `job.params["person_id"]`, confirmed in review `review_id`."""
    person_id = int(job.params["person_id"])
    review_id = int(job.params["review_id"])
    finished = Tombstone.objects.filter(former_person_id=person_id).first()
    if finished is not None:
        return _result(finished)
    problems = plan_problems()
    if problems:
        # Better to stop than to leave part of a record behind, or trip over it half way.
        raise ErasureRefused(problems[0])
    review = RetentionReview.objects.filter(pk=review_id, person_id=person_id).first()
    if review is None or review.status != RetentionReview.Status.DESTROYING:
        raise ErasureRefused("This destruction has not been confirmed by a second officer.")
    if review.job_id != job.pk:
        raise ErasureRefused("Another job is destroying this record.")
    people = people_of(person_id)
    state: dict[str, Any] = dict(job.state)
    state.setdefault("counts", {})
    state.setdefault("files", 0)
    if state.get("pending_files"):
        _remove_files(state["pending_files"])
        state["pending_files"] = []
        reporter.progress(int(state.get("done", 0)), int(state.get("total", 0)), state=state)
    if "total" not in state:
        state["total"] = sum(record_counts(people).values())
        state["done"] = 0
        reporter.progress(0, state["total"], state=state)

    for label in deletion_order():
        while True:
            with transaction.atomic():
                if not _lock_person(person_id):
                    raise ErasureRefused("The person's record no longer exists.")
                hold = _holds_on(people)
                if hold is not None:
                    note = _stop_for_hold(job, review_id, hold, state)
                    reporter.progress(int(state["done"]), int(state["total"]), state=state)
                    return {"refused": note, "former_person_id": person_id}
                ids = list(record_rows(label, people).values_list("pk", flat=True)[:BATCH_SIZE])
                if not ids:
                    break
                files = _file_names(label, ids)
                deleted = _delete(label, ids)
                state["counts"][label] = int(state["counts"].get(label, 0)) + deleted
                state["done"] = int(state["done"]) + deleted
                state["files"] = int(state["files"]) + len(files)
                state["pending_files"] = files
                reporter.progress(int(state["done"]), int(state["total"]), state=state)
            if files:
                _remove_files(files)
                state["pending_files"] = []
                reporter.progress(int(state["done"]), int(state["total"]), state=state)

    with transaction.atomic():
        if not _lock_person(person_id):
            raise ErasureRefused("The person's record no longer exists.")
        hold = _holds_on(people)
        if hold is not None:
            note = _stop_for_hold(job, review_id, hold, state)
            reporter.progress(int(state["done"]), int(state["total"]), state=state)
            return {"refused": note, "former_person_id": person_id}
        review = RetentionReview.objects.select_for_update().get(pk=review_id)
        tombstone = _finish(job=job, reporter=reporter, review=review, people=people, state=state)
    _remove_empty_folders(people)
    return _result(tombstone)


def _remove_empty_folders(people: list[int]) -> None:
    """A local documents folder keeps each person's emptied folder; object storage has none."""
    from documents.models import document_storage

    storage = document_storage()
    for pid in people:
        with contextlib.suppress(NotImplementedError, OSError):
            os.rmdir(storage.path(f"people/{pid}"))
