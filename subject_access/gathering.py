"""Gathering: a person's case file, item by item, through the case file export's plan.

The job (kind ``subject_access.gather``, on the ``documents`` queue like the export) takes
the export's plan of the record (documents.casefile_render.plan_parts: the summary, then
the chronology, notes, steps and documents in chunks) and keeps each part's rows as review
items (documents.casefile_items), the part and the job's state saved in one transaction,
so a killed worker's successor carries on from the next part and never keeps a row twice.
At the end it collects the names of the third parties to look out for, and records the
gathering as an export of the person's record.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casemgmt import audit
from casemgmt.jobs import JobReporter, register
from casemgmt.models import Job, User
from clients.permissions import access_person
from documents import casefile_items, casefile_render
from subject_access import thirdparty
from subject_access.models import RequestSubject, ReviewItem, SubjectAccessRequest

JOB_KIND = "subject_access.gather"
QUEUE = "documents"
# Positions leave room for every row of a part: parts hold at most 500 rows.
PART_STRIDE = 100_000


class GatherRefused(Exception):
    """The file cannot be gathered: the officer who asked may no longer open the record."""


def gather_start(*, actor: User, sar: SubjectAccessRequest, subject: RequestSubject) -> Job:
    """Gather (or gather again) the person's case file for review; one job at a time."""
    from casemgmt.tasks import run_job

    with transaction.atomic():
        locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        if locked.status != SubjectAccessRequest.Status.IN_PROGRESS:
            raise ValidationError(
                "The case file can be gathered while the request is in progress, before review."
            )
        row = (
            RequestSubject.objects.select_for_update(of=("self",))
            .select_related("gather_job")
            .get(pk=subject.pk, request=locked)
        )
        if row.gather_job is not None and not row.gather_job.is_finished:
            return row.gather_job
        discarded, _ = ReviewItem.objects.filter(subject=row).delete()
        job = Job.objects.create(
            kind=JOB_KIND,
            title=f"Gathering the case file for {locked.reference}",
            params={"subject_id": row.pk, "person_id": row.person_id},
            created_by=actor,
        )
        before = audit.snapshot(row, ("gather_job", "gathered_at", "item_count"))
        row.gather_job = job
        row.gathered_at = None
        row.item_count = 0
        row.third_parties = []
        row.save(update_fields=["gather_job", "gathered_at", "item_count", "third_parties"])
        audit.record_change(
            actor=actor,
            action="gather",
            instance=row,
            person_id=row.person_id,
            changes={
                **audit.diff(
                    before, audit.snapshot(row, ("gather_job", "gathered_at", "item_count"))
                ),
                **({"discarded_rows": [discarded, 0]} if discarded else {}),
            },
            summary=f"Asked for the case file to be gathered for {locked.reference}",
        )
        transaction.on_commit(lambda: run_job.apply_async(args=[str(job.pk)], queue=QUEUE))
    subject.gather_job = job
    return job


def _subject_and_actor(job: Job) -> tuple[RequestSubject | None, User]:
    subject = (
        RequestSubject.objects.select_related("request", "person")
        .filter(pk=job.params.get("subject_id"))
        .first()
    )
    actor = job.created_by
    if actor is None or not actor.is_active:
        raise GatherRefused("The officer who asked for this can no longer sign in.")
    if subject is None or subject.gather_job_id != job.pk:
        return None, actor
    try:
        access_person(actor, subject.person_id)
    except Http404 as error:
        raise GatherRefused("The record is not open to the officer who asked for it.") from error
    return subject, actor


@register(JOB_KIND)
def gather(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """Keep every row of the person's record as a review item, part by part."""
    subject, actor = _subject_and_actor(job)
    if subject is None:
        # Gathered again since, or taken off the request: a later job has the work.
        return {"superseded": True}
    person = subject.person
    state = dict(job.state)
    if "plan" not in state:
        state = {"plan": casefile_render.plan_parts(person), "done": 0}
        reporter.progress(0, len(state["plan"]) + 1, state=state)
    plan: list[dict[str, Any]] = state["plan"]
    total = len(plan) + 1
    for number in range(int(state["done"]), len(plan)):
        items = casefile_items.items_for_part(person=person, actor=actor, part=plan[number])
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if int(locked.state.get("done", 0)) > number:
                state = dict(locked.state)
                continue
            ReviewItem.objects.bulk_create(
                [
                    ReviewItem(
                        subject=subject,
                        section=item.section,
                        kind=item.kind,
                        source_id=item.source_id,
                        position=number * PART_STRIDE + index,
                        fields=item.fields_json(),
                        document_id=item.document_id,
                        document_version_id=item.version_id,
                    )
                    for index, item in enumerate(items)
                ],
                ignore_conflicts=True,
            )
            state["done"] = number + 1
            reporter.job = locked
            reporter.progress(number + 1, total, state=state)
    terms = thirdparty.third_party_terms(person=person, actor=actor)
    with transaction.atomic():
        row = RequestSubject.objects.select_for_update().get(pk=subject.pk)
        if row.gather_job_id != job.pk:
            return {"superseded": True}
        if row.gathered_at is None:
            row.item_count = ReviewItem.objects.filter(subject=row).count()
            row.third_parties = [term.as_json() for term in terms]
            row.gathered_at = timezone.now()
            row.save(update_fields=["item_count", "third_parties", "gathered_at"])
            audit.record_access(
                actor=actor,
                action="export",
                person_id=row.person_id,
                object_type="subject_access.subjectaccessrequest",
                object_id=str(subject.request_id),
                summary=f"Gathered the case file for {subject.request} ({row.item_count} items)",
                reason=f"Subject access request {subject.request}",
            )
        reporter.progress(total, total, state=state)
    return {"items": row.item_count, "subject_id": row.pk}
