"""Destroying a record: every table, nothing of anyone else, stopped by a hold, resumable,
and a tombstone with no personal data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.db.models import ForeignObjectRel
from django.test import Client
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone

from casemgmt import jobs
from casemgmt.models import AuditEvent, Job, Notification, User
from clients.models import Person, Relationship
from documents.models import Document
from retention import erasure
from retention.models import LegalHold, RetentionReview, Tombstone
from tests.factories import PersonFactory
from tests.retention.full_record import full_record, make, person_of
from workflows.models import Referral

pytestmark = pytest.mark.django_db


# -- the plan covers every table -------------------------------------------------------------


def test_every_table_pointing_at_a_person_is_destroyed_with_the_record() -> None:
    # related_objects leaves out relations named "+" (Relationship.other): read both. A
    # many-to-many relation is a foreign key of its through table, listed itself.
    relations = {
        (rel.related_model._meta.label_lower, rel.field.name)  # type: ignore[union-attr]
        for rel in [
            *Person._meta.related_objects,
            *Person._meta.get_fields(include_hidden=True),
        ]
        if isinstance(rel, ForeignObjectRel) and not rel.many_to_many
    }
    assert ("clients.relationship", "other") in relations
    unhandled = sorted(
        f"{label}.{name}"
        for label, name in relations
        if name not in erasure.RECORD_ROWS.get(label, ())
    )
    assert unhandled == []
    assert erasure.plan_problems() == []


@isolate_apps("retention")
def test_a_new_table_pointing_at_people_that_erasure_does_not_know_fails_the_plan() -> None:
    class FosteringHousehold(models.Model):  # noqa: DJ008 (never shown)
        carer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "retention"

    class StepComment(models.Model):  # noqa: DJ008 (never shown)
        step = models.ForeignKey("workflows.Step", on_delete=models.PROTECT, related_name="+")
        note = models.ForeignKey(
            "clients.CaseNote", null=True, on_delete=models.SET_NULL, related_name="+"
        )

        class Meta:
            app_label = "retention"

    # Resolve the string references against the real models.
    StepComment._meta.get_field("step").remote_field.model = erasure._model("workflows.step")  # type: ignore[union-attr]
    StepComment._meta.get_field("note").remote_field.model = erasure._model("clients.casenote")  # type: ignore[union-attr]

    problems = erasure.plan_problems([FosteringHousehold, StepComment])

    assert problems == [
        "retention.fosteringhousehold.carer points at a person, and destroying a record does "
        "not say what becomes of its rows: add it to retention.erasure.RECORD_ROWS (or keep a "
        "plain id instead, as the audit trail does).",
        "retention.stepcomment.step must point at a row of workflows.step, which destroying a "
        "record deletes: add it to retention.erasure.RECORD_ROWS.",
    ]


def test_the_job_refuses_to_start_with_a_plan_that_leaves_rows_behind(
    monkeypatch: pytest.MonkeyPatch, officer: User, second_officer: User
) -> None:
    ctx = full_record(user=officer, second=second_officer)
    job = _job(ctx, second_officer)
    monkeypatch.setitem(erasure.RECORD_ROWS, "clients.alert", ())

    with pytest.raises(erasure.ErasureRefused, match=r"clients\.alert\.person"):
        jobs.job_run(str(job.pk))

    assert Person.objects.filter(pk=person_of(ctx).pk).exists()


# -- a whole record ----------------------------------------------------------------------------


def _job(ctx: dict[str, Any], confirmer: User) -> Job:
    review = ctx["rows"]["retention.retentionreview"]
    job = Job.objects.create(
        kind=erasure.JOB_KIND,
        title=f"Destruction of record {review.person_id}",
        params={"person_id": review.person_id, "review_id": review.pk},
        created_by=confirmer,
    )
    RetentionReview.objects.filter(pk=review.pk).update(job=job)
    return job


def _run(job: Job) -> Job:
    jobs.job_run(str(job.pk))
    job.refresh_from_db()
    return job


def _stored(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_destroying_a_record_deletes_every_row_of_it_and_its_files_and_leaves_a_tombstone(
    officer: User, second_officer: User, document_folder: Path, officer_client: Client
) -> None:
    # Given a record with a row in every table of the plan, a merged duplicate, a stored file
    # and a notification naming them
    ctx = full_record(user=officer, second=second_officer)
    subject = person_of(ctx)
    people = erasure.people_of(subject.pk)
    assert people == [subject.pk, ctx["duplicate"].pk]
    before = erasure.record_counts(people)
    empty = [label for label in erasure.RECORD_ROWS if label not in before]
    assert empty == [], f"The test record has no rows in {empty}"
    assert len(_stored(document_folder)) == 1
    Notification.objects.create(
        recipient=officer,
        subject="Sam broke the glass on Erin Destroyed's record",
        body="Erin Destroyed ...",
        link=reverse("clients:person-detail", kwargs={"person_id": subject.pk}),
    )
    audit_rows = AuditEvent.objects.filter(person_id=subject.pk).count()
    relative = ctx["relative"]

    # When the confirmed destruction runs
    job = _run(_job(ctx, second_officer))

    # Then nothing of the record is left, in any table, nor its file
    assert job.status == Job.Status.SUCCEEDED, job.error
    left = {label: erasure.record_rows(label, people).count() for label in erasure.RECORD_ROWS}
    assert {label: number for label, number in left.items() if number} == {}
    assert _stored(document_folder) == []
    # and the tombstone says what went, and who decided, and nothing about who they were
    tombstone = Tombstone.objects.get(former_person_id=subject.pk)
    assert tombstone.counts == before
    assert (tombstone.files_deleted, tombstone.merged_person_ids) == (1, [ctx["duplicate"].pk])
    assert (tombstone.decided_by, tombstone.confirmed_by) == (officer, second_officer)
    assert job.result == {
        "tombstone_id": tombstone.pk,
        "former_person_id": subject.pk,
        "rows": sum(before.values()),
        "files": 1,
    }
    values = json.dumps(
        {field.name: str(getattr(tombstone, field.attname)) for field in Tombstone._meta.fields}
    )
    for personal in ("Erin", "Destroyed", "Duplicate"):
        assert personal not in values
    # and the relative is still there, without their relationship to the destroyed record
    assert Person.objects.filter(pk=relative.pk).exists()
    assert not Relationship.objects.filter(person=relative, other_id=subject.pk).exists()
    # and the notification no longer names them; the audit trail is untouched, plus the event
    assert Notification.objects.get(recipient=officer).body == ""
    assert "Erin" not in Notification.objects.get(recipient=officer).subject
    assert AuditEvent.objects.filter(person_id=subject.pk).count() == audit_rows + 1
    destroyed = AuditEvent.objects.get(person_id=subject.pk, action="retention_destroy")
    assert destroyed.changes["rows_destroyed"][1] == before
    # and the record's address is the 404 of a person who never existed
    response = officer_client.get(
        reverse("clients:person-detail", kwargs={"person_id": subject.pk})
    )
    assert response.status_code == 404


def test_other_peoples_rows_that_point_into_the_record_lose_only_the_link(
    officer: User, second_officer: User
) -> None:
    ctx = full_record(user=officer, second=second_officer)
    step = ctx["rows"]["workflows.step"]
    note = ctx["rows"]["clients.casenote"]
    sibling = PersonFactory(first_name="Sienna", last_name="Sibling")
    # A step of the record wrote a fact about a sibling, and the sibling's document was
    # attached to the record's step and note.
    referral = make(Referral, {"rows": {}, "user": officer}, {"person": sibling, "step": step})
    document = make(
        Document,
        {"rows": {}, "user": officer},
        {"person": sibling, "step": step, "case_note": note},
    )

    job = _run(_job(ctx, second_officer))

    assert job.status == Job.Status.SUCCEEDED, job.error
    referral.refresh_from_db()
    document.refresh_from_db()
    assert (referral.person_id, referral.step_id) == (sibling.pk, None)
    assert (document.person_id, document.step_id, document.case_note_id) == (sibling.pk, None, None)


# -- holds ----------------------------------------------------------------------------------


def test_a_hold_placed_after_confirmation_stops_the_job_before_anything_is_deleted(
    officer: User, second_officer: User
) -> None:
    ctx = full_record(user=officer, second=second_officer)
    subject = person_of(ctx)
    before = erasure.record_counts(erasure.people_of(subject.pk))
    job = _job(ctx, second_officer)
    LegalHold.objects.create(
        person=subject, reason="Claim against the council.", reference="CL-1", placed_by=officer
    )

    job = _run(job)

    assert job.status == Job.Status.SUCCEEDED
    assert job.result["refused"].startswith("Destruction stopped by the legal hold CL-1")
    after = erasure.record_counts(erasure.people_of(subject.pk))
    assert after == {**before, "retention.legalhold": before["retention.legalhold"] + 1}
    review = RetentionReview.objects.get(pk=ctx["rows"]["retention.retentionreview"].pk)
    assert review.status == RetentionReview.Status.HELD
    assert not Tombstone.objects.exists()


def test_a_hold_placed_part_way_stops_the_job_at_the_next_batch(
    officer: User, second_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = full_record(user=officer, second=second_officer)
    subject = person_of(ctx)
    monkeypatch.setattr(erasure, "BATCH_SIZE", 1)
    deletes: list[str] = []
    original = erasure._delete

    def delete(label: str, ids: list[Any]) -> int:
        deletes.append(label)
        if len(deletes) == 3:
            LegalHold.objects.create(
                person=subject,
                reason="IICSA asked for the file.",
                reference="IICSA",
                placed_by=officer,
            )
        return original(label, ids)

    monkeypatch.setattr(erasure, "_delete", delete)

    job = _run(_job(ctx, second_officer))

    assert len(deletes) == 3
    assert job.result["refused"].endswith("after 3 rows had been destroyed.")
    assert Person.objects.filter(pk=subject.pk).exists()
    assert RetentionReview.objects.get(person=subject).status == RetentionReview.Status.HELD


def test_the_job_refuses_a_review_that_was_not_confirmed(
    officer: User, second_officer: User
) -> None:
    ctx = full_record(user=officer, second=second_officer)
    job = _job(ctx, second_officer)
    RetentionReview.objects.filter(pk=ctx["rows"]["retention.retentionreview"].pk).update(
        status=RetentionReview.Status.DESTROY_PROPOSED, confirmed_by=None, confirmed_at=None
    )

    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS - 1)

    with pytest.raises(erasure.ErasureRefused, match="not been confirmed"):
        jobs.job_run(str(job.pk))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert Person.objects.filter(pk=person_of(ctx).pk).exists()


# -- a worker killed part way ------------------------------------------------------------------


def test_a_job_killed_part_way_resumes_and_counts_every_row_once(
    officer: User, second_officer: User, monkeypatch: pytest.MonkeyPatch, document_folder: Path
) -> None:
    ctx = full_record(user=officer, second=second_officer)
    subject = person_of(ctx)
    before = erasure.record_counts(erasure.people_of(subject.pk))
    monkeypatch.setattr(erasure, "BATCH_SIZE", 1)
    calls: list[str] = []
    original = erasure._delete

    def dying(label: str, ids: list[Any]) -> int:
        calls.append(label)
        if len(calls) == 6:
            raise RuntimeError("worker lost")
        return original(label, ids)

    monkeypatch.setattr(erasure, "_delete", dying)
    job = _job(ctx, second_officer)
    with pytest.raises(RuntimeError):
        jobs.job_run(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.state["done"]) == (Job.Status.QUEUED, 5)

    monkeypatch.setattr(erasure, "_delete", original)
    job = _run(job)

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert Tombstone.objects.get(former_person_id=subject.pk).counts == before
    assert _stored(document_folder) == []
    # Run once more (a kill after the end, before the job was marked done): the same answer.
    again = erasure.destroy_record(job, jobs.JobReporter(job))
    assert again == job.result
    assert Tombstone.objects.count() == 1


def test_files_named_by_deleted_rows_are_removed_by_the_next_attempt(
    officer: User, second_officer: User, monkeypatch: pytest.MonkeyPatch, document_folder: Path
) -> None:
    ctx = full_record(user=officer, second=second_officer)
    failures: list[int] = []

    def unavailable(files: list[list[str]]) -> None:
        failures.append(len(files))
        raise OSError("storage unavailable")

    original = erasure._remove_files
    monkeypatch.setattr(erasure, "_remove_files", unavailable)
    job = _job(ctx, second_officer)
    with pytest.raises(OSError, match="storage unavailable"):
        jobs.job_run(str(job.pk))
    job.refresh_from_db()
    assert len(job.state["pending_files"]) == 1
    assert len(_stored(document_folder)) == 1

    monkeypatch.setattr(erasure, "_remove_files", original)
    job = _run(job)

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert _stored(document_folder) == []
    assert Tombstone.objects.get().files_deleted == 1


def test_destruction_of_an_unrelated_record_leaves_this_one_alone(
    officer: User, second_officer: User
) -> None:
    bystander = PersonFactory(first_name="Bea", last_name="Bystander")
    bystander_rows = erasure.record_counts([bystander.pk])
    ctx = full_record(user=officer, second=second_officer)

    _run(_job(ctx, second_officer))

    assert erasure.record_counts([bystander.pk]) == bystander_rows
    assert Person.objects.filter(pk=bystander.pk).exists()
    assert timezone.now()
