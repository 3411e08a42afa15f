"""Work trays: my work, a team's tray of unallocated incoming work, and the authorisation queue.

The trays are lists of work, not views of a record, so they write no access event (the
step page a row links to does). Sorting, filtering and paging are query parameters, so
every view of a tray is a link that can be bookmarked; a value that makes no sense is
ignored rather than refused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import Team, User
from casemgmt.types import AnyUser
from workflows import permissions, selectors, services
from workflows.models import Step
from workflows.selectors import DueFilter, MyWorkTab, TrayPage, TrayRow
from workflows.services import StepError

# ----------------------------------------------------------------------------------------
# Links to steps
# ----------------------------------------------------------------------------------------


@functools.cache
def _steps_prefix() -> str:
    """Where step pages live ("/work/steps/"), from the allocation URL beside them."""
    return reverse("step-allocate", args=[0]).removesuffix("0/allocate/")


def step_page_url(step_id: int, action: str = "") -> str:
    """The step's page (or one of its action pages, like "authorise")."""
    name = f"step-{action}" if action else "step-detail"
    try:
        return reverse(name, args=[step_id])
    except NoReverseMatch:
        return f"{_steps_prefix()}{step_id}/" + (f"{action}/" if action else "")


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # Every view here is behind login_required.
    return cast(User, request.user)


def _number(value: str | None, *, default: int | None = None) -> int | None:
    """A positive whole number from a query parameter, or `default` if it is not one."""
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 9:
        return default
    number = int(text)
    return number if number > 0 else default


def _page(query: QueryDict) -> int:
    return min(_number(query.get("page"), default=1) or 1, selectors.MAX_PAGE)


@dataclass(frozen=True)
class Column:
    """A table heading that sorts the tray: a link, and aria-sort on the sorted column."""

    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "none"


def _columns(request: HttpRequest, sort: str, headings: list[tuple[str, str]]) -> list[Column]:
    columns = []
    for label, key in headings:
        if sort == key:
            aria, next_sort = "ascending", f"-{key}"
        elif sort == f"-{key}":
            aria, next_sort = "descending", key
        else:
            aria, next_sort = "none", key
        query = request.GET.copy()
        query["sort"] = next_sort
        query.pop("page", None)
        columns.append(Column(label=label, url=f"?{query.urlencode()}", aria_sort=aria))
    return columns


@dataclass(frozen=True)
class Item:
    """A tray row with its links."""

    row: TrayRow
    url: str
    authorise_url: str = ""


def _items(page: TrayPage, *, authorise: bool = False) -> list[Item]:
    return [
        Item(
            row=row,
            url=step_page_url(row.id),
            authorise_url=step_page_url(row.id, "authorise") if authorise else "",
        )
        for row in page.rows
    ]


def _require_work(user: AnyUser) -> None:
    # The trays name no record, so a missing capability is a plain 403.
    if not selectors.can_view_work(user):
        raise PermissionDenied("Your role does not include casework.")


SORT_HEADINGS = [
    ("Person", "name"),
    ("Step", "type"),
    ("Received", "received"),
    ("Due", "due"),
]


# ----------------------------------------------------------------------------------------
# My work
# ----------------------------------------------------------------------------------------


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    _require_work(request.user)
    work = selectors.my_work(
        request.user,
        filter=request.GET.get("tab", MyWorkTab.CURRENT),
        sort=request.GET.get("sort", selectors.DEFAULT_SORT),
        page=_page(request.GET),
    )
    tabs = []
    for value, label in MyWorkTab.choices:
        query = QueryDict(mutable=True)
        query["tab"] = value
        if work.sort != selectors.DEFAULT_SORT:
            query["sort"] = work.sort
        tabs.append(
            {
                "value": value,
                "label": label,
                "count": work.counts[value],
                "url": f"?{query.urlencode()}",
                "is_current": value == work.tab,
            }
        )
    return render(
        request,
        "workflows/tray_my_work.html",
        {
            "work": work,
            "tabs": tabs,
            "tab_label": dict(MyWorkTab.choices)[work.tab],
            "items": _items(work.page),
            "columns": _columns(request, work.sort, SORT_HEADINGS),
            "nav": "my-work",
        },
    )


# ----------------------------------------------------------------------------------------
# Team trays
# ----------------------------------------------------------------------------------------


@login_required
@require_GET
def team_tray_list(request: HttpRequest) -> HttpResponse:
    """The teams whose trays the user can open; straight to the tray when there is one."""
    _require_work(request.user)
    user = _user(request)
    teams = list(
        Team.objects.filter(kind=Team.Kind.TEAM, is_active=True)
        .filter(
            Q(pk__in=permissions.current_team_ids(user))
            | Q(pk__in=selectors.managed_teams(user).values("pk"))
        )
        .order_by("name")
    )
    if len(teams) == 1:
        return redirect("work-team-tray", team_id=teams[0].pk)
    return render(request, "workflows/tray_teams.html", {"teams": teams, "nav": "team-tray"})


@login_required
@require_GET
def team_tray(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.access_team_tray(request.user, team_id)
    due = request.GET.get("due") or None
    tray = selectors.team_tray(
        request.user,
        team,
        step_type_id=_number(request.GET.get("step_type")),
        due=due,
        sort=request.GET.get("sort", selectors.DEFAULT_SORT),
        page=_page(request.GET),
    )
    can_allocate = selectors.can_allocate_from_tray(request.user, team)
    return render(
        request,
        "workflows/tray_team.html",
        {
            "team": team,
            "tray": tray,
            "items": _items(tray.page),
            "columns": _columns(request, tray.sort, SORT_HEADINGS),
            "due_choices": DueFilter.choices,
            "can_allocate": can_allocate,
            # The same options in every row's form: written once, not once per row.
            "member_options": mark_safe(  # noqa: S308 (names are escaped)
                "".join(
                    f'<option value="{pk}">{escape(name)}</option>'
                    for pk, name in selectors.team_member_choices(team)
                )
            )
            if can_allocate and tray.page.rows
            else "",
            "is_filtered": tray.step_type_id is not None or tray.due is not None,
            "here": request.get_full_path(),
            "nav": "team-tray",
        },
    )


# ----------------------------------------------------------------------------------------
# Authorisations
# ----------------------------------------------------------------------------------------


@login_required
@require_GET
def authorisations(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view_authorisations(request.user):
        raise PermissionDenied("Your role does not include authorising work.")
    queue = selectors.authorisation_queue(request.user, page=_page(request.GET))
    return render(
        request,
        "workflows/tray_authorisations.html",
        {
            "queue": queue,
            "items": _items(queue.page, authorise=True),
            "nav": "authorisations",
        },
    )


# ----------------------------------------------------------------------------------------
# Allocation
# ----------------------------------------------------------------------------------------


def _allocatable_step(request: HttpRequest, step_id: int) -> Step:
    """The step, if the user may allocate work in its team's tray; otherwise 404.

    Whether the step itself can be allocated now (it may have been completed meanwhile)
    is a reason shown on the page, not a 404.
    """
    user = request.user
    if not (user.is_authenticated and user.is_active and user.has_perm(permissions.ALLOCATE_STEP)):
        raise Http404("No such step.")
    step = permissions.access_step(user, step_id)
    in_team = step.team_id in permissions.current_team_ids(user)
    if not in_team and not permissions.is_senior_manager(user):
        raise Http404("No such step.")
    return step


def _why_not_allocatable(step: Step) -> str:
    if step.status == Step.Status.COMPLETED:
        return "This work has been completed, so it cannot be allocated."
    if step.status == Step.Status.CANCELLED:
        return "This work has been cancelled, so it cannot be allocated."
    if step.status == Step.Status.AWAITING_AUTHORISATION:
        return (
            "This work is waiting for a manager to authorise it. It can be allocated again "
            "once they have decided."
        )
    return ""


def _back_to(request: HttpRequest, step: Step) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("work-team-tray", args=[step.team_id])


@login_required
@require_http_methods(["GET", "POST"])
def step_allocate(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _allocatable_step(request, step_id)
    members = selectors.team_members(step.team)
    by_id = {member.pk: member for member in members}
    errors: list[str] = []
    chosen = step.assignee_id
    if request.method == "POST":
        chosen = _number(request.POST.get("assignee"))
        reason = _why_not_allocatable(step)
        sent_version = _number(request.POST.get("version"))
        if reason:
            errors.append(reason)
        elif chosen is None:
            errors.append("Choose the worker to allocate this work to.")
        elif chosen not in by_id:
            errors.append(f"Choose a worker who is in {step.team.name} today.")
        elif (
            sent_version is not None
            and sent_version != step.version
            and step.assignee_id not in (None, chosen)
        ):
            errors.append(
                f"{step.assignee} was given this work while you were choosing. "
                "Choose again if it should still go to someone else."
            )
        else:
            try:
                services.step_allocate(actor=_user(request), step=step, assignee=by_id[chosen])
            except StepError as error:
                errors.append(str(error))
            else:
                messages.success(
                    request,
                    f"{step.step_type.name} for {_subject(step)} allocated to {by_id[chosen]}",
                )
                return redirect(_back_to(request, step))
        step.refresh_from_db(fields=["assignee", "version", "status"])
    return render(
        request,
        "workflows/tray_allocate.html",
        {
            "step": step,
            "subject": _subject(step),
            "members": members,
            "chosen": chosen,
            "errors": errors,
            "reason": _why_not_allocatable(step),
            "back": _back_to(request, step),
            "step_url": step_page_url(step.pk),
            "nav": "team-tray",
        },
    )


def _subject(step: Step) -> str:
    return step.person.full_name if step.person is not None else str(step.group)
