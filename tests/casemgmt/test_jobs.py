from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt import jobs
from casemgmt.celery import app as celery_app
from casemgmt.models import Job, User
from clients.jobs import REBUILD_SEARCH_KEYS
from clients.models import Person
from tests.factories import PersonFactory

CALLS: list[int] = []


@jobs.register("tests.count_to")
def _count_to(job: Job, reporter: jobs.JobReporter) -> dict[str, Any]:
    start = int(job.state.get("next", 1))
    for number in range(start, job.params["to"] + 1):
        CALLS.append(number)
        reporter.progress(number, job.params["to"], state={"next": number + 1})
        if job.params.get("die_at") == number and job.attempts == 1:
            raise RuntimeError("worker lost")
    return {"counted": job.params["to"]}


@pytest.mark.django_db
def test_a_job_resumes_from_its_saved_state_after_a_failure(worker: User) -> None:
    # Given a job whose first attempt dies at 3 of 5
    CALLS.clear()
    job = Job.objects.create(kind="tests.count_to", title="Count", params={"to": 5, "die_at": 3})
    with pytest.raises(RuntimeError):
        jobs.job_run(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.progress_done) == ("queued", 3)

    # When it is run again
    jobs.job_run(str(job.pk))

    # Then it carries on after the last step it saved, and finishes once
    job.refresh_from_db()
    assert CALLS == [1, 2, 3, 4, 5]
    assert (job.status, job.percent, job.result) == ("succeeded", 100, {"counted": 5})
    jobs.job_run(str(job.pk))
    assert CALLS == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_a_job_fails_for_good_after_three_attempts() -> None:
    job = Job.objects.create(kind="tests.count_to", title="Count", params={"to": 2}, attempts=2)
    job.params["to"] = "not a number"
    job.save()
    with pytest.raises(TypeError):
        jobs.job_run(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed"
    assert "TypeError" in job.error


@pytest.mark.django_db(transaction=True)
def test_rebuild_search_keys_runs_on_a_real_worker_through_redis(client: Client) -> None:
    # Given an administrator and people whose search keys are stale
    admin = User.objects.create_user("admin1", is_staff=True, is_superuser=True)
    people = [PersonFactory(first_name="Zoë", last_name="O'Brien") for _ in range(3)]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(search_name="stale")
    client.force_login(admin)

    # When the administrator starts the job and a worker takes it from Redis (after the
    # messages other tests queued with no worker running are cleared away). The queue is
    # named: a worker started earlier in this process for the documents queue alone leaves
    # the app consuming only that queue.
    celery_app.control.purge()
    with start_worker(
        celery_app, perform_ping_check=False, shutdown_timeout=30, queues=["default"]
    ):
        response = client.post(reverse("clients:rebuild-search-keys"))
        job = Job.objects.get(kind=REBUILD_SEARCH_KEYS)
        assert response.status_code == 302
        assert response["Location"] == reverse("job-detail", kwargs={"job_id": job.pk})
        for _ in range(600):  # a worker starting on a busy machine may take seconds
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.1)

    # Then the keys are rebuilt and the page shows it finished
    assert job.status == "succeeded"
    assert job.result == {"people": 3, "changed": 3}
    assert set(Person.objects.values_list("search_name", flat=True)) == {"zoe obrien"}
    page = client.get(reverse("job-detail", kwargs={"job_id": job.pk}))
    assert b"100% complete" in page.content


@pytest.mark.django_db
def test_stalled_and_lost_jobs_are_found_for_requeueing() -> None:
    # Given a job whose worker went silent, one whose message was lost, and two healthy ones
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    silent = Job.objects.create(
        kind="tests.count_to", title="Silent", status="running", heartbeat_at=long_ago
    )
    lost = Job.objects.create(kind="tests.count_to", title="Lost")
    Job.objects.filter(pk=lost.pk).update(created_at=long_ago)
    Job.objects.create(kind="tests.count_to", title="Fresh")
    Job.objects.create(
        kind="tests.count_to", title="Busy", status="running", heartbeat_at=timezone.now()
    )

    # Then only the silent and the lost job are picked up again
    assert {job.title for job in jobs.stalled_jobs()} == {silent.title, lost.title}
