"""Background jobs of the person record."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from casemgmt.jobs import JobReporter, register
from casemgmt.models import Job
from clients.models import Person, PersonName
from clients.names import fold, name_keys

BATCH_SIZE = 2000
REBUILD_SEARCH_KEYS = "clients.rebuild_search_keys"


@register(REBUILD_SEARCH_KEYS)
def rebuild_search_keys(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """Recompute every person's search keys, e.g. after the name rules change.

    Works in batches in id order and saves the last id done, so a killed worker's
    successor carries on from there.
    """
    after_id = int(job.state.get("after_id", 0))
    done = int(job.state.get("done", 0))
    changed = int(job.state.get("changed", 0))
    total = Person.objects.count()
    while True:
        batch = list(
            Person.objects.filter(pk__gt=after_id)
            .order_by("pk")
            .only(
                "pk",
                "first_name",
                "last_name",
                "search_name",
                "first_name_phonetic",
                "last_name_phonetic",
            )[:BATCH_SIZE]
        )
        if not batch:
            break
        stale = []
        for person in batch:
            keys = name_keys(person.first_name, person.last_name)
            if (person.search_name, person.first_name_phonetic, person.last_name_phonetic) != keys:
                person.search_name, person.first_name_phonetic, person.last_name_phonetic = keys
                stale.append(person)
        with transaction.atomic():
            Person.objects.bulk_update(
                stale, ["search_name", "first_name_phonetic", "last_name_phonetic"]
            )
            names = list(PersonName.objects.filter(person_id__in=[p.pk for p in batch]))
            for name in names:
                name.search_name = f"{fold(name.first_name)} {fold(name.last_name)}".strip()
            PersonName.objects.bulk_update(names, ["search_name"])
        after_id = batch[-1].pk
        done += len(batch)
        changed += len(stale)
        reporter.progress(
            done, max(total, done), state={"after_id": after_id, "done": done, "changed": changed}
        )
    return {"people": done, "changed": changed}
