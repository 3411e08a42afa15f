"""The case progress map of a person: each episode of work drawn as steps joined over time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from clients.permissions import access_person
from clients.views.common import render_person_page
from workflows import selectors
from workflows.models import Episode
from workflows.progress_map import Layout, MapNode, episode_map, map_svg
from workflows.views.trays import step_page_url


@dataclass(frozen=True)
class EpisodeMap:
    episode: Episode
    title: str
    layout: Layout
    svg: SafeString
    rows: list[tuple[MapNode, str]]  # each step in time order, with its page


def _title(episode: Episode) -> str:
    subject = f" for {episode.group}" if episode.group_id else ""
    return f"{episode.workflow.name}{subject}, opened {episode.opened_on:%-d %B %Y}"


@login_required
@require_GET
def progress_map(request: HttpRequest, person_id: int) -> HttpResponse:
    # Without access to work, the map is no page at all (the same 404 as for no person).
    if not selectors.can_view_work(request.user):
        raise Http404("No such person.")
    person = access_person(request.user, person_id)
    today = timezone.localdate()
    maps = []
    episodes = selectors.person_episodes(request.user, person)
    titles = Counter(_title(work.episode) for work in episodes)
    seen: Counter[str] = Counter()
    for work in episodes:
        layout = episode_map(work.steps, work.links, today=today)
        urls = {step.pk: step_page_url(step.pk) for step in work.steps}
        title = _title(work.episode)
        seen[title] += 1
        if titles[title] > 1:
            # Two episodes alike in name and date: number them, so each map has its own name.
            title = f"{title} ({seen[title]} of {titles[title]})"
        maps.append(
            EpisodeMap(
                episode=work.episode,
                title=title,
                layout=layout,
                svg=map_svg(layout, key=str(work.episode.pk), title=title, step_url=urls),
                rows=[(node, urls[node.step.id]) for node in layout.in_time_order],
            )
        )
    return render_person_page(
        request,
        "workflows/progress_map.html",
        person,
        {"maps": maps, "nav": "people"},
        what="case progress map",
        tab="progress-map",
    )
