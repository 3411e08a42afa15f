from django.utils import timezone

from casemgmt.models import Job
from tests.matrix.base import ALL_STAFF, Case, Context


def _admins_job(ctx: Context) -> dict[str, object]:
    job = Job.objects.create(
        kind="clients.rebuild_search_keys",
        title="Rebuild",
        created_by=ctx.users["admin"],
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now(),
    )
    return {"job_id": job.pk}


CASES = [
    Case("home", allowed=ALL_STAFF, kwargs=lambda ctx: {}, ok_status=frozenset({302})),
    Case("job-detail", allowed=frozenset({"admin"}), kwargs=_admins_job),
    Case(
        "clients:rebuild-search-keys",
        allowed=frozenset({"admin"}),
        kwargs=lambda ctx: {},
        denied_status=403,
    ),
    Case("api-schema", allowed=ALL_STAFF, kwargs=lambda ctx: {}, is_api=True),
]
