"""Relationships, involvements (allocation), alerts and groups on a person's record.

Each form page follows clients/views/person.py: the capability is checked first (a
signed-in user without it gets 404, as for a person they cannot see); a page that shows
the record writes one access event; a POST that saves writes the services' change
events and redirects. Finding the other person for a relationship by name also writes
the search event that every people search writes.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt import roles
from casemgmt.models import User
from clients import permissions, validators
from clients.forms.records import AlertForm, EndForm, GroupForm, InvolvementForm, RelationshipForm
from clients.genogram import genogram_for
from clients.models import Alert, Group, GroupMembership, Involvement, Person, Relationship
from clients.names import fold
from clients.person_summary import relationship_rows
from clients.selectors import person_list_visible_to
from clients.services import alerts as alert_services
from clients.services import groups as group_services
from clients.services import involvements as involvement_services
from clients.services import relationships as relationship_services
from clients.views.person import (
    acting_user,
    own_relationships,
    render_person_page,
    require_capability,
    saved,
)

SEARCH_LIMIT = 10
CANDIDATE_GROUP_LIMIT = 20


def _posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even if empty, so that its errors show), else None."""
    return request.POST if request.method == "POST" else None


def _person(request: HttpRequest, person_id: int, capability: str | None = None) -> Person:
    if capability is not None:
        require_capability(request.user, capability)
    return permissions.access_person(request.user, person_id)


# ---------------------------------------------------------------------------
# Relationships
# ---------------------------------------------------------------------------


@login_required
@require_GET
def relationship_list(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    today = timezone.localdate()
    rows = relationship_rows(person, user=cast(User, request.user))
    own = own_relationships(person, rows, today)
    context = {
        "current": [row for row in own if row.end_date is None or row.end_date > today],
        "ended": [row for row in own if row.end_date is not None and row.end_date <= today],
        "genogram": genogram_for(person, rows, today=today),
        "today": today,
    }
    return render_person_page(
        request,
        person,
        "clients/relationships.html",
        context,
        what="relationships",
        tab="relationships",
    )


def _find_people(user: User, person: Person, query: str) -> tuple[list[Person], str]:
    """People matching a name or person ID, for choosing the other person (or a message).

    Every word must appear in the person's folded name; the trigram index on
    `search_name` serves the match.
    """
    try:
        text = validators.validate_name(query, label="Name or person ID")
    except ValidationError as error:
        return [], error.messages[0]
    visible = person_list_visible_to(user=user).exclude(pk=person.pk)
    words = fold(text).split()
    if text.isascii() and text.isdigit() and len(text) < 19:
        matches = visible.filter(pk=int(text))
    elif not words or max(len(word) for word in words) < 2:
        return [], "Enter at least 2 letters of their name, or their person ID."
    else:
        matches = visible
        for word in words:
            matches = matches.filter(search_name__contains=word)
    found = list(matches.order_by("last_name", "first_name", "pk")[: SEARCH_LIMIT + 1])
    if not found:
        return [], "No one found. Check the spelling, or enter their person ID."
    return found[:SEARCH_LIMIT], ""


def _existing_labels(person: Person, people: list[Person]) -> dict[int, str]:
    """What each of `people` is already recorded as to `person` (open relationships)."""
    labels: dict[int, list[str]] = {}
    for row in Relationship.objects.filter(
        person=person, other__in=people, end_date__isnull=True
    ).select_related("type", "other"):
        labels.setdefault(row.other_id, []).append(row.label.lower())
    return {pid: ", ".join(names) for pid, names in labels.items()}


@login_required
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, roles.MANAGE_RELATIONSHIPS)
    people: QuerySet[Person] = person_list_visible_to(user=request.user)
    context: dict[str, Any] = {}
    what = "relationship form"
    if request.method == "POST":
        form = RelationshipForm(request.POST, person=person, people=people)
        if form.is_valid():
            values = form.relationship_values()
            try:
                relationship = relationship_services.relationship_create(
                    actor=acting_user(request),
                    person=person,
                    **values,
                )
            except ValidationError as error:
                form.add_service_errors(error, rename={"type": "relationship_type"})
            else:
                return saved(
                    request,
                    f"{values['other'].full_name} added as "
                    f"{relationship.label.lower()} of {person.full_name}",
                    person,
                    to="clients:relationships",
                )
    else:
        query = request.GET.get("q", "")[:200]
        chosen = request.GET.get("other", "")
        form = RelationshipForm(initial={"other": chosen[:20]}, person=person, people=people)
        context["query"] = query
        if query:
            results, context["search_message"] = _find_people(acting_user(request), person, query)
            context["results"] = results
            context["related"] = _existing_labels(person, results)
            # The page's one access event also records what was searched for.
            printable = "".join(ch for ch in query[:80] if ch.isprintable())
            what = f"relationship form, searching for '{printable}' ({len(results)} found)"
        if chosen.isascii() and chosen.isdigit() and len(chosen) < 19:
            context["chosen"] = people.exclude(pk=person.pk).filter(pk=int(chosen)).first()
    context["form"] = form
    return render_person_page(
        request,
        person,
        "clients/relationship_form.html",
        context,
        what=what,
        tab="relationships",
    )


def _end_page(
    request: HttpRequest,
    person: Person,
    form: EndForm,
    *,
    title: str,
    subject: str,
    rows: list[tuple[str, str]],
    back: str,
    tab: str = "summary",
) -> HttpResponse:
    return render_person_page(
        request,
        person,
        "clients/end_form.html",
        {"form": form, "title": title, "subject": subject, "rows": rows, "back": back},
        what=f"{subject} to end",
        tab=tab,
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_end(request: HttpRequest, person_id: int, relationship_id: int) -> HttpResponse:
    person = _person(request, person_id, roles.MANAGE_RELATIONSHIPS)
    relationship = (
        Relationship.objects.select_related("other", "type")
        .filter(pk=relationship_id, person=person)
        .first()
    )
    if relationship is None:
        raise Http404("No such relationship.")
    form = EndForm(_posted(request), what="relationship")
    if request.method == "POST" and form.is_valid():
        try:
            relationship_services.relationship_end(
                actor=acting_user(request),
                relationship=relationship,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return saved(
                request,
                f"Relationship with {relationship.other.full_name} ended",
                person,
                to="clients:relationships",
            )
    return _end_page(
        request,
        person,
        form,
        title=f"End relationship with {relationship.other.full_name}",
        subject="relationship",
        rows=[
            ("Person", relationship.other.full_name),
            ("Relationship", relationship.label),
            ("Started", _date(relationship.start_date)),
        ],
        back="clients:relationships",
        tab="relationships",
    )


def _date(value: Any) -> str:
    return f"{value:%-d %B %Y}" if value else "Not recorded"


# ---------------------------------------------------------------------------
# Involvements
# ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def involvement_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, roles.MANAGE_INVOLVEMENTS)
    form = InvolvementForm(_posted(request), actor=acting_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            involvement = involvement_services.involvement_start(
                actor=acting_user(request),
                person=person,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return saved(
                request, f"{involvement.role.name} in {involvement.team.name} added", person
            )
    return render_person_page(
        request, person, "clients/involvement_form.html", {"form": form}, what="involvement form"
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_end(request: HttpRequest, person_id: int, involvement_id: int) -> HttpResponse:
    person = _person(request, person_id, roles.MANAGE_INVOLVEMENTS)
    involvement = (
        Involvement.objects.select_related("worker", "team", "role")
        .filter(pk=involvement_id, person=person)
        .first()
    )
    if involvement is None:
        raise Http404("No such involvement.")
    form = EndForm(_posted(request), what="involvement", reason_limit=200)
    if request.method == "POST" and form.is_valid():
        try:
            involvement_services.involvement_end(
                actor=acting_user(request),
                involvement=involvement,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return saved(request, f"{involvement.role.name} ended", person)
    return _end_page(
        request,
        person,
        form,
        title=f"End involvement: {involvement.role.name}",
        subject="involvement",
        rows=[
            ("Role", involvement.role.name),
            ("Worker", str(involvement.worker) if involvement.worker else "No named worker"),
            ("Team", involvement.team.name),
            ("Started", _date(involvement.start_date)),
        ],
        back="clients:person-detail",
    )


# ---------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def alert_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, roles.MANAGE_ALERTS)
    form = AlertForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            alert = alert_services.alert_add(
                actor=acting_user(request),
                person=person,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error, rename={"type": "alert_type"})
        else:
            return saved(request, f"Alert added: {alert.type.name}", person)
    return render_person_page(
        request, person, "clients/alert_form.html", {"form": form}, what="alert form"
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_end(request: HttpRequest, person_id: int, alert_id: int) -> HttpResponse:
    person = _person(request, person_id, roles.MANAGE_ALERTS)
    alert = Alert.objects.select_related("type").filter(pk=alert_id, person=person).first()
    if alert is None:
        raise Http404("No such alert.")
    form = EndForm(_posted(request), what="alert")
    if request.method == "POST" and form.is_valid():
        try:
            alert_services.alert_end(
                actor=acting_user(request),
                alert=alert,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return saved(request, f"Alert ended: {alert.type.name}", person)
    return _end_page(
        request,
        person,
        form,
        title=f"End alert: {alert.type.name}",
        subject="alert",
        rows=[
            ("Alert", alert.type.name),
            ("Details", alert.description or "None given"),
            ("Started", _date(alert.start_date)),
        ],
        back="clients:person-detail",
    )


# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------


def _candidate_groups(person: Person) -> list[Group]:
    """Open groups the person's relatives are in and the person is not."""
    relatives = Relationship.objects.filter(person=person).values("other_id")
    already = GroupMembership.objects.filter(person=person, end_date__isnull=True).values(
        "group_id"
    )
    member_of = GroupMembership.objects.filter(
        person_id__in=relatives, end_date__isnull=True
    ).values("group_id")
    return list(
        Group.objects.filter(pk__in=member_of, end_date__isnull=True)
        .exclude(pk__in=already)
        .order_by("name", "pk")[:CANDIDATE_GROUP_LIMIT]
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, roles.MANAGE_GROUPS)
    form = GroupForm(_posted(request), candidates=_candidate_groups(person))
    if request.method == "POST" and form.is_valid():
        try:
            membership = group_services.group_create_or_join(
                actor=acting_user(request),
                person=person,
                **form.group_values(),
            )
        except ValidationError as error:
            target = "group_number" if form.cleaned_data.get("choice") == form.OTHER else "choice"
            form.add_service_errors(error, rename={"group": target})
        else:
            return saved(request, f"Added to {membership.group.name}", person)
    return render_person_page(
        request, person, "clients/group_form.html", {"form": form}, what="group form"
    )
