"""The single view of a person, and the pages that change their details.

Auditing: every response that shows any of the record (the summary, and each form page,
including a form shown again with its errors) writes exactly one access event. A POST
that saves writes the services' change events and redirects without an access event:
the page it redirects to writes its own.

The summary page is the page workers open most, so it is built from a fixed number of
index-backed queries however long the history (14 in all, including the session, the
user, their permissions and the audit insert; pinned in tests/clients/test_person_page.py):
the banner's alerts and allocation; one query for other names, identifiers, disabilities
and addresses; involvements; relationships of the person and of their close relatives
(for the genogram); groups with their members; the latest notes; the latest chronology.
Long histories are cut to the latest few with links to the full lists.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import JSONObject
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt import roles
from casemgmt.models import User
from casemgmt.types import AnyUser
from clients import permissions
from clients.codes import Disability
from clients.forms.details import AddressForm, GovukForm, PersonDetailsForm, PersonNameForm
from clients.genogram import DRAWN_KINDS, genogram_for
from clients.models import (
    Address,
    ChronologyEntry,
    Group,
    GroupMembership,
    Involvement,
    Person,
    PersonDisability,
    PersonIdentifier,
    PersonName,
    Relationship,
)
from clients.services import people as people_services
from clients.services.notes import notes_visible_to
from clients.views import common

NOTE_LIMIT = 10
CHRONOLOGY_LIMIT = 10
ADDRESS_LIMIT = 25
INVOLVEMENT_LIMIT = 25
RELATIONSHIP_LIMIT = 25
# Rows for the genogram: the person's own relationships and their close relatives'.
RELATIONSHIP_ROWS_LIMIT = 1000
GROUP_MEMBER_LIMIT = 200
# What the genogram and the relationship table show of a relative: a page of thirty
# relatives need not load thirty whole person records.
RELATIVE_FIELDS = (
    *(field.name for field in Relationship._meta.concrete_fields),
    "type__code",
    "type__name",
    "type__male_name",
    "type__female_name",
    "type__genogram",
    "type__sort_order",
    "type__category",
    *(
        f"other__{name}"
        for name in (
            "first_name",
            "last_name",
            "sex",
            "date_of_birth",
            "expected_date_of_birth",
            "date_of_death",
        )
    ),
)


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
) -> HttpResponse:
    """Render a page of the person's record, writing its one access event."""
    return common.render_person_page(
        request, template, person, {**capabilities(request.user), **context}, what=what, tab=tab
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
    person = permissions.access_person(request.user, person_id, include_merged=True)
    if person.merged_into_id is not None:
        # A duplicate folded into another record: the kept record is the one to read.
        return redirect("clients:person-detail", person_id=person.merged_into_id)
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today}
    context.update(_details(person, today))
    context.update(_involvements(person))
    relationships = relationship_rows(person)
    own = own_relationships(person, relationships, today)
    context["relationships"] = own[:RELATIONSHIP_LIMIT]
    context["relationship_count"] = len(own)
    context["genogram"] = genogram_for(person, relationships, today=today)
    context["groups"] = _groups(person)
    if permissions.can_view_case_notes(request.user):
        notes = list(
            notes_visible_to(user=request.user, person=person).defer("body")[: NOTE_LIMIT + 1]
        )
        context["notes"] = notes[:NOTE_LIMIT]
        context["more_notes"] = len(notes) > NOTE_LIMIT
    if permissions.can_view_chronology(request.user):
        entries = list(
            ChronologyEntry.objects.filter(person=person, is_hidden=False)
            .order_by("-event_date", "-id")
            .only("id", "person_id", "event_date", "category", "summary", "source")[
                : CHRONOLOGY_LIMIT + 1
            ]
        )
        context["chronology"] = entries[:CHRONOLOGY_LIMIT]
        context["more_chronology"] = len(entries) > CHRONOLOGY_LIMIT
    return render_person_page(
        request, person, "clients/person_detail.html", context, what="person record"
    )


def _json(fields: tuple[str, ...]) -> JSONObject:
    return JSONObject(**{name: name for name in ("id", *fields)})


def _instances(
    model: type[models.Model], rows: list[dict[str, Any]] | None, person: Person
) -> list[Any]:
    """Model instances from the JSON rows of an array subquery (dates come back as text)."""
    instances = []
    for row in rows or []:
        values = {
            name: cast(models.Field, model._meta.get_field(name)).to_python(value)
            for name, value in row.items()
        }
        instances.append(model(person=person, **values))
    return instances


_NAME_FIELDS = ("kind", "first_name", "last_name", "start_date", "end_date")
_IDENTIFIER_FIELDS = ("system", "value")
_ADDRESS_FIELDS = (
    "kind",
    "line_1",
    "line_2",
    "town",
    "county",
    "postcode",
    "uprn",
    "is_confidential",
    "start_date",
    "end_date",
)


def _details(person: Person, today: datetime.date) -> dict[str, Any]:
    """Other names, identifiers, disabilities and addresses: four short lists, one query."""
    mine = {"person": OuterRef("pk")}
    row = (
        Person.objects.filter(pk=person.pk)
        .values(
            other_names_json=ArraySubquery(
                PersonName.objects.filter(**mine)
                .order_by(F("end_date").desc(nulls_first=True), "id")
                .values(json=_json(_NAME_FIELDS))
            ),
            identifiers_json=ArraySubquery(
                PersonIdentifier.objects.filter(**mine)
                .order_by("system", "value")
                .values(json=_json(_IDENTIFIER_FIELDS))
            ),
            disabilities_json=ArraySubquery(
                PersonDisability.objects.filter(**mine).order_by("code").values("code")
            ),
            addresses_json=ArraySubquery(
                Address.objects.filter(**mine)
                .order_by("-start_date", "-id")
                .values(json=_json(_ADDRESS_FIELDS))[: ADDRESS_LIMIT + 1]
            ),
        )
        .get()
    )
    addresses: list[Address] = _instances(Address, row["addresses_json"], person)
    shown = addresses[:ADDRESS_LIMIT]
    current = [address for address in shown if address.is_current_on(today)]
    labels = dict(Disability.choices)
    return {
        "other_names": _instances(PersonName, row["other_names_json"], person),
        "identifiers": _instances(PersonIdentifier, row["identifiers_json"], person),
        "disabilities": [labels.get(code, code) for code in row["disabilities_json"] or []],
        "current_addresses": current,
        "past_addresses": [address for address in shown if address not in current],
        "more_addresses": len(addresses) > ADDRESS_LIMIT,
    }


def _involvements(person: Person) -> dict[str, Any]:
    """Open involvements, then the most recently ended."""
    rows = list(
        Involvement.objects.filter(person=person)
        .select_related("worker", "team", "role")
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "-id")[
            : INVOLVEMENT_LIMIT + 1
        ]
    )
    shown = rows[:INVOLVEMENT_LIMIT]
    return {
        "current_involvements": [row for row in shown if row.end_date is None],
        "past_involvements": [row for row in shown if row.end_date is not None],
        "more_involvements": len(rows) > INVOLVEMENT_LIMIT,
    }


def relationship_rows(person: Person) -> list[Relationship]:
    """The person's relationships, and those of the relatives the genogram draws (one query).

    The relatives' rows give grandparents, grandchildren, parents' partners and
    half-siblings without a query per relative.
    """
    # One IN list (the person and their relatives) lets PostgreSQL use the person index;
    # an OR of "the person" and "a relative" made it scan the whole table.
    relatives = (
        Relationship.objects.filter(person_id=person.pk, type__genogram__in=DRAWN_KINDS)
        .values("other_id")
        .union(Person.objects.filter(pk=person.pk).values("id"))
    )
    return list(
        Relationship.objects.filter(person_id__in=Subquery(relatives))
        .filter(Q(person_id=person.pk) | Q(type__genogram__in=DRAWN_KINDS))
        .exclude(other_id=person.pk)
        .select_related("other", "type")
        .only(*RELATIVE_FIELDS)
        .order_by(
            Case(When(person_id=person.pk, then=Value(0)), default=Value(1)),
            "person_id",
            "id",
        )[:RELATIONSHIP_ROWS_LIMIT]
    )


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


def _groups(person: Person) -> list[dict[str, Any]]:
    """The households and family groups the person is or was in, with every member."""
    mine = GroupMembership.objects.filter(person_id=person.pk).values("group_id")
    memberships = list(
        GroupMembership.objects.filter(group_id__in=Subquery(mine))
        .select_related("group", "person")
        .only(
            *(field.name for field in GroupMembership._meta.concrete_fields),
            *(f"group__{field.name}" for field in Group._meta.concrete_fields),
            "person__first_name",
            "person__last_name",
        )
        .order_by(
            "group__name",
            "group_id",
            F("end_date").desc(nulls_first=True),
            "person__last_name",
            "person__first_name",
        )[:GROUP_MEMBER_LIMIT]
    )
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
