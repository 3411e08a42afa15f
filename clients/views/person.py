"""The single view of a person, and the pages that change their details.

Auditing: every response that shows any of the record (the summary, and each form page,
including a form shown again with its errors) writes exactly one access event. A POST
that saves writes the services' change events and redirects without an access event:
the page it redirects to writes its own.

The summary page is the page workers open most, so it is built from four queries however
long the history (pinned in tests/clients/test_person_page.py): the signed-in user, the
person (through `access_person`), everything the page lists in one statement
(`clients.person_summary`: banner, other names, identifiers, addresses, involvements,
relationships for the genogram, groups, the latest notes and chronology), and the audit
insert, plus what other apps' sections add (clients.extensions); the user's permissions
come from the cache (casemgmt.permission_cache). Long histories are cut to the latest few
with links to the full lists.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt import roles
from casemgmt.models import User
from casemgmt.types import AnyUser
from clients import genogram as genogram_module
from clients import permissions, record_access
from clients import person_summary as person_summary_module
from clients.codes import Disability
from clients.extensions import person_sections
from clients.forms.details import AddressForm, GovukForm, PersonDetailsForm, PersonNameForm
from clients.genogram import genogram_for
from clients.models import GroupMembership, Involvement, Person, Relationship
from clients.person_summary import (
    ADDRESS_LIMIT,
    CHRONOLOGY_LIMIT,
    INVOLVEMENT_LIMIT,
    NOTE_LIMIT,
    Banner,
    PersonSummary,
    person_summary,
)
from clients.services import people as people_services
from clients.views import access as access_views
from clients.views import common

RELATIONSHIP_LIMIT = 25


def acting_user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def require_capability(user: AnyUser, capability: str) -> None:
    """404 (not 403): a page about a person must not say whether the person exists."""
    if not permissions.can(user, capability):
        raise Http404("No such person.")


def render_person_page(
    request: HttpRequest,
    person: Person,
    template: str,
    context: dict[str, Any],
    *,
    what: str,
    tab: str = "summary",
    banner: Banner | None = None,
) -> HttpResponse:
    """Render a page of the person's record, writing its one access event."""
    return common.render_person_page(
        request,
        template,
        person,
        {**capabilities(request.user), **context},
        what=what,
        tab=tab,
        banner=banner,
    )


def capabilities(user: AnyUser) -> dict[str, bool]:
    """What the user may do on a person's pages (permission checks are cached per request)."""
    return {
        "can_change_person": permissions.can_change_person(user),
        "can_add_note": permissions.can_add_case_note(user),
        "can_manage_relationships": permissions.can(user, roles.MANAGE_RELATIONSHIPS),
        "can_manage_involvements": permissions.can(user, roles.MANAGE_INVOLVEMENTS),
        "can_manage_alerts": permissions.can(user, roles.MANAGE_ALERTS),
        "can_manage_groups": permissions.can(user, roles.MANAGE_GROUPS),
        "can_merge": permissions.can_merge(user),
    }


def saved(
    request: HttpRequest, message: str, person: Person, to: str = "clients:person-detail"
) -> HttpResponse:
    messages.success(request, message)
    return redirect(to, person_id=person.pk)


# ---------------------------------------------------------------------------
# The summary page
# ---------------------------------------------------------------------------


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        person = permissions.access_person(user, person_id, include_merged=True)
    except Http404:
        # A manager who may break the glass is asked for a reason rather than told nothing.
        candidate = record_access.break_glass_candidate(user, person_id)
        if candidate is None:
            raise
        return access_views.break_glass_prompt(request, candidate)
    if person.merged_into_id is not None:
        # A duplicate folded into another record: the kept record is the one to read.
        return redirect("clients:person-detail", person_id=person.merged_into_id)
    today = timezone.localdate()
    summary = person_summary(
        user=user,
        person=person,
        today=today,
        with_notes=permissions.can_view_case_notes(user),
        with_chronology=permissions.can_view_chronology(user),
    )
    context: dict[str, Any] = {
        "today": today,
        **_details(summary, today),
        **_involvements(summary.involvements),
        "relationships_section": relationships_section(
            person,
            summary,
            today=today,
            can_manage=permissions.can(user, roles.MANAGE_RELATIONSHIPS),
        ),
        "groups": _groups(person, summary.memberships),
        # What other apps show on the page (clients.extensions), e.g. open work.
        "person_sections": person_sections(person, user),
    }
    if summary.notes is not None:
        context["notes"] = summary.notes[:NOTE_LIMIT]
        context["more_notes"] = len(summary.notes) > NOTE_LIMIT
    if summary.chronology is not None:
        context["chronology"] = summary.chronology[:CHRONOLOGY_LIMIT]
        context["more_chronology"] = len(summary.chronology) > CHRONOLOGY_LIMIT
    return render_person_page(
        request,
        person,
        "clients/person_detail.html",
        context,
        what="person record",
        banner=summary.banner,
    )


def _details(summary: PersonSummary, today: datetime.date) -> dict[str, Any]:
    """Other names, identifiers, disabilities and addresses."""
    shown = summary.addresses[:ADDRESS_LIMIT]
    current = [address for address in shown if address.is_current_on(today)]
    labels = dict(Disability.choices)
    return {
        "other_names": summary.other_names,
        "identifiers": summary.identifiers,
        "disabilities": [labels.get(code, code) for code in summary.disability_codes],
        "current_addresses": current,
        "past_addresses": [address for address in shown if address not in current],
        "more_addresses": len(summary.addresses) > ADDRESS_LIMIT,
    }


def _involvements(rows: list[Involvement]) -> dict[str, Any]:
    """Open involvements, then the most recently ended."""
    shown = rows[:INVOLVEMENT_LIMIT]
    return {
        "current_involvements": [row for row in shown if row.end_date is None],
        "past_involvements": [row for row in shown if row.end_date is not None],
        "more_involvements": len(rows) > INVOLVEMENT_LIMIT,
    }


# What the relationships section's HTML is made from besides its rows: a change to any of
# these files must not serve HTML rendered by the old ones.
_RELATIONSHIPS_SECTION_TEMPLATE = "clients/_person_relationships.html"
_RELATIONSHIPS_SECTION_SOURCES = (
    _RELATIONSHIPS_SECTION_TEMPLATE,
    "clients/_genogram.html",
    "clients/_records_relationship_table.html",
)
RELATIONSHIPS_SECTION_SECONDS = 24 * 60 * 60


@functools.cache
def _relationships_section_version() -> str:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(Path(genogram_module.__file__).read_bytes())
    digest.update(Path(person_summary_module.__file__).read_bytes())
    for name in _RELATIONSHIPS_SECTION_SOURCES:
        origin = get_template(name).origin.name  # type: ignore[attr-defined]
        digest.update(Path(origin).read_bytes())
    return digest.hexdigest()


def relationships_section_key(
    person: Person, rows: list[dict[str, Any]], *, today: datetime.date, can_manage: bool
) -> str:
    """The cache key of the rendered section: a digest of everything it is drawn from.

    The rows carry every relationship and every relative's name, sex and dates that the
    section shows, so any change to them, to the person, to the date (ages, ended
    relationships), to what the reader may do or to the code gives another key: nothing
    has to be told to forget the old HTML, which expires unread.
    """
    digest = hashlib.blake2b(digest_size=20)
    facts = [
        _relationships_section_version(),
        get_script_prefix(),
        today.isoformat(),
        can_manage,
        person.pk,
        person.first_name,
        person.last_name,
        person.sex,
        person.date_of_birth and person.date_of_birth.isoformat(),
        person.expected_date_of_birth and person.expected_date_of_birth.isoformat(),
        person.date_of_death and person.date_of_death.isoformat(),
        rows,
    ]
    digest.update(json.dumps(facts, separators=(",", ":")).encode())
    return f"person-relationships:{digest.hexdigest()}"


def relationships_section(
    person: Person, summary: PersonSummary, *, today: datetime.date, can_manage: bool
) -> SafeString:
    """The summary page's relationships: genogram, table and link (HTML, from the cache).

    Drawing the genogram and its table is most of the rendering of a large family's
    page, and the same family is looked at again and again, so the HTML is kept under a
    key made from everything it shows (`relationships_section_key`).
    """
    key = relationships_section_key(
        person, summary.relationship_rows, today=today, can_manage=can_manage
    )
    html = cache.get(key)
    if html is None:
        relationships = summary.relationships()
        own = own_relationships(person, relationships, today)
        html = render_to_string(
            _RELATIONSHIPS_SECTION_TEMPLATE,
            {
                "person": person,
                "today": today,
                "relationships": own[:RELATIONSHIP_LIMIT],
                "relationship_count": len(own),
                "genogram": genogram_for(person, relationships, today=today),
                "can_manage_relationships": can_manage,
            },
        )
        cache.set(key, html, RELATIONSHIPS_SECTION_SECONDS)
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, which escaped it)


def own_relationships(
    person: Person, rows: list[Relationship], today: datetime.date
) -> list[Relationship]:
    """The person's own relationships: current first, family first, then by name."""
    own = [row for row in rows if row.person_id == person.pk]
    return sorted(
        own,
        key=lambda row: (
            row.end_date is not None and row.end_date <= today,
            row.type.sort_order,
            row.other.last_name.lower(),
            row.other.first_name.lower(),
            row.pk,
        ),
    )


def _groups(person: Person, memberships: list[GroupMembership]) -> list[dict[str, Any]]:
    """The households and family groups the person is or was in, with every member."""
    by_group: dict[int, dict[str, Any]] = {}
    for membership in memberships:
        entry = by_group.setdefault(
            membership.group_id, {"group": membership.group, "members": [], "own": None}
        )
        entry["members"].append(membership)
        if membership.person_id == person.pk and (
            entry["own"] is None or membership.end_date is None
        ):
            entry["own"] = membership
    return sorted(
        by_group.values(),
        key=lambda entry: (entry["own"] is not None and entry["own"].end_date is not None,),
    )


# ---------------------------------------------------------------------------
# Details, addresses and other names
# ---------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, person: Person, template: str, form: GovukForm, *, what: str
) -> HttpResponse:
    return render_person_page(request, person, template, {"form": form}, what=what)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    require_capability(request.user, roles.CHANGE_PERSON)
    person = permissions.access_person(request.user, person_id)
    codes = list(person.disabilities.order_by("code").values_list("code", flat=True))
    initial = PersonDetailsForm.initial_for(person, codes)
    if request.method == "POST":
        form = PersonDetailsForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                people_services.person_update(
                    actor=acting_user(request),
                    person=person,
                    **form.person_values(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return saved(request, "Details saved", person)
    else:
        form = PersonDetailsForm(initial=initial)
    return _form_page(request, person, "clients/person_edit.html", form, what="details to edit")


@login_required
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest, person_id: int) -> HttpResponse:
    require_capability(request.user, roles.CHANGE_PERSON)
    person = permissions.access_person(request.user, person_id)
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                people_services.address_add(
                    actor=acting_user(request),
                    person=person,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return saved(request, "Address added", person)
    else:
        form = AddressForm()
    return _form_page(request, person, "clients/address_form.html", form, what="address form")


@login_required
@require_http_methods(["GET", "POST"])
def name_add(request: HttpRequest, person_id: int) -> HttpResponse:
    require_capability(request.user, roles.CHANGE_PERSON)
    person = permissions.access_person(request.user, person_id)
    if request.method == "POST":
        form = PersonNameForm(request.POST)
        if form.is_valid():
            try:
                people_services.person_name_add(
                    actor=acting_user(request),
                    person=person,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return saved(request, "Name added", person)
    else:
        form = PersonNameForm()
    return _form_page(request, person, "clients/name_form.html", form, what="name form")
