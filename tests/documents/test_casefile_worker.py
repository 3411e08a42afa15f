"""The case file export through Redis to a worker that takes the documents queue, as deployed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django.urls import reverse

from casemgmt.celery import app as celery_app
from casemgmt.models import Job
from clients.models import Person
from documents import casefile
from documents.models import Document


@pytest.mark.django_db(transaction=True)
def test_the_export_runs_on_a_documents_worker_through_redis(
    client_for: Callable[[str], Client], person: Person
) -> None:
    # Given a worker that takes only the documents queue
    with start_worker(
        celery_app, perform_ping_check=False, shutdown_timeout=30, queues=[casefile.JOB_QUEUE]
    ):
        # When a team manager asks for the export
        response = client_for("team_manager").post(
            reverse("documents:casefile-request", kwargs={"person_id": person.pk}),
            {"purpose": "court", "reason": "Care proceedings ZW26C00123"},
        )
        assert response.status_code == 302
        job = Job.objects.get(kind=casefile.JOB_KIND)
        for _ in range(600):
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.1)

    # Then the worker made the export and stored its two documents
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (
        Document.objects.filter(
            pk__in=[job.result["pdf_document_id"], job.result["zip_document_id"]]
        ).count()
        == 2
    )
