"""The people API under /api/v1/people/: search, read, create and change person records.

The same rules as the pages. Reads go through the scoped selector and the access
helper, so a record that is missing and one out of reach are the same 404. Capabilities
come from roles. Every response that shows a person's record writes one access event,
and every change goes through the person services, which validate and audit it.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casemgmt import roles
from casemgmt.api import ErrorOutput, PreconditionFailed, ValidationErrorOutput, if_match_passes
from casemgmt.models import User
from clients import events, permissions
from clients.models import Alert, Involvement, Person, PersonName
from clients.search import SearchCriteria, search_people
from clients.serializers import (
    AddressInput,
    PersonCreateInput,
    PersonDetailOutput,
    PersonSearchInput,
    PersonSearchOutput,
    PersonUpdateInput,
)
from clients.services.people import person_create, person_update

TAGS = ["People"]

# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def _actor(request: Request) -> User:
    # Every view here requires a signed-in, active user (DEFAULT_PERMISSION_CLASSES).
    return cast(User, request.user)


def person_etag(person: Person) -> str:
    """A strong ETag for the version of the person's details; every update changes it."""
    version = hashlib.sha256(f"{person.pk}:{person.updated_at.isoformat()}".encode())
    return f'"{version.hexdigest()[:32]}"'


def _with_record(person: Person) -> Person:
    """Load everything the detail shows, in one query per kind of row."""
    today = timezone.localdate()
    prefetch_related_objects(
        [person],
        "addresses",
        Prefetch("other_names", queryset=PersonName.objects.order_by("kind", "last_name", "id")),
        "identifiers",
        "disabilities",
        Prefetch(
            "alerts",
            queryset=Alert.objects.filter(start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .select_related("type")
            .order_by("type__severity", "type__name", "id"),
            to_attr="open_alerts",
        ),
        Prefetch(
            "involvements",
            queryset=Involvement.objects.filter(end_date__isnull=True, role__is_allocation=True)
            .select_related("worker", "team", "role")
            .order_by("-start_date", "-id"),
            to_attr="open_allocations",
        ),
    )
    return person


def _record_response(
    request: Request, person: Person, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The person's record as JSON: one access event, and the ETag to send back on PATCH."""
    person = _with_record(person)
    events.person_viewed(actor=_actor(request), person=person, what="person record (API)")
    return Response(
        PersonDetailOutput(person).data,
        status=status,
        headers={"ETag": person_etag(person), **(headers or {})},
    )


_ADDRESS_ERROR_FIELDS = frozenset(AddressInput().fields)


def _as_api_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """Service errors about the new person's address belong under `address`, as sent."""
    messages = error.message_dict if hasattr(error, "error_dict") else {}
    if messages and set(messages) <= _ADDRESS_ERROR_FIELDS:
        return exceptions.ValidationError({"address": messages})
    return exceptions.ValidationError(
        messages or {"non_field_errors": error.messages},
    )


# ----------------------------------------------------------------------------------------
# Schema pieces
# ----------------------------------------------------------------------------------------

_PERSON_ID = OpenApiParameter(
    "person_id", int, OpenApiParameter.PATH, description="The person's ID."
)


def _etag_header(status: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        description="The version of the person's details. Send it back in If-Match on PATCH.",
        response=[status],
    )


_UNAUTHENTICATED = OpenApiResponse(ErrorOutput, description="Not signed in.")
_NOT_FOUND = OpenApiResponse(
    ErrorOutput, description="No such person, or not one you may see (the two are not told apart)."
)
_INVALID = OpenApiResponse(
    ValidationErrorOutput,
    description="The body is not valid. Each field at fault is named with the reasons.",
    examples=[
        OpenApiExample(
            "Invalid NHS number",
            value={
                "errors": {
                    "nhs_number": [
                        "This is not a valid NHS number: check you have typed it correctly."
                    ],
                    "favourite_colour": [
                        "This field is not recognised. Check its spelling against the "
                        "API schema, or leave it out."
                    ],
                }
            },
        )
    ],
)
_TOO_LARGE = OpenApiResponse(ErrorOutput, description="The body is larger than the server accepts.")
_NOT_JSON = OpenApiResponse(ErrorOutput, description="The body is not application/json.")

_DETAIL_EXAMPLE = OpenApiExample(
    "A child with an allocated worker",
    response_only=True,
    value={
        "id": 1042,
        "title": "",
        "first_name": "Jayden",
        "middle_names": "",
        "last_name": "Whitmore",
        "preferred_name": "Jay",
        "full_name": "Jayden Whitmore",
        "date_of_birth": "2015-03-14",
        "date_of_birth_is_estimated": False,
        "expected_date_of_birth": None,
        "date_of_death": None,
        "age": 10,
        "is_deceased": False,
        "sex": "M",
        "gender_identity": "",
        "ethnicity": "WBRI",
        "first_language": "English",
        "interpreter_required": False,
        "religion": "",
        "disabilities": ["AUT"],
        "nhs_number": "9434765919",
        "upn": None,
        "ni_number": None,
        "other_identifiers": [{"system": "Legacy system", "value": "C-118822"}],
        "phone": "",
        "mobile": "07700 900123",
        "email": "",
        "gp_practice_code": "Y01234",
        "gp_practice_name": "Riverside Surgery",
        "current_address": {
            "id": 77,
            "kind": "home",
            "line_1": "12 Acacia Avenue",
            "line_2": "",
            "town": "Northtown",
            "county": "",
            "postcode": "NT1 4AB",
            "uprn": "",
            "is_confidential": False,
            "start_date": "2021-06-01",
            "end_date": None,
        },
        "addresses": [
            {
                "id": 77,
                "kind": "home",
                "line_1": "12 Acacia Avenue",
                "line_2": "",
                "town": "Northtown",
                "county": "",
                "postcode": "NT1 4AB",
                "uprn": "",
                "is_confidential": False,
                "start_date": "2021-06-01",
                "end_date": None,
            }
        ],
        "other_names": [
            {
                "id": 5,
                "kind": "birth",
                "first_name": "Jayden",
                "last_name": "Smith",
                "start_date": None,
                "end_date": "2017-09-30",
            }
        ],
        "alerts": [
            {
                "id": 9,
                "type": "risk-to-staff",
                "name": "Risk to staff",
                "severity": "warning",
                "description": "Dog at the property; visit in pairs.",
                "start_date": "2025-01-10",
                "end_date": None,
            }
        ],
        "current_allocation": {
            "role": "Allocated social worker",
            "worker_id": 31,
            "worker_name": "Alice Worker",
            "team_id": 4,
            "team_name": "Assessment team north",
            "start_date": "2025-01-01",
        },
        "created_at": "2025-01-01T09:30:00Z",
        "updated_at": "2025-02-11T14:05:12Z",
    },
)


# ----------------------------------------------------------------------------------------
# /api/v1/people/
# ----------------------------------------------------------------------------------------


_SEARCH_PARAMETERS = [
    OpenApiParameter("name", str, description="All or part of a name, current or former."),
    OpenApiParameter(
        "dob",
        str,
        description="A date of birth, like 2015-03-14, or part of one: 2015-03 or 2015. "
        "Instead of the dob_ parts.",
    ),
    OpenApiParameter("dob_year", int, description="Year of birth, like 2015."),
    OpenApiParameter("dob_month", int, description="Month of birth, 1 to 12."),
    OpenApiParameter("dob_day", int, description="Day of birth, 1 to 31."),
    OpenApiParameter(
        "identifier",
        str,
        description="An NHS number, UPN, National Insurance number, person ID, or an id "
        "in another system.",
    ),
    OpenApiParameter("postcode", str, description="A full postcode, or its first half."),
    OpenApiParameter("page", int, description="Page number, from 1; 20 people to a page."),
]


def _search_errors(
    error: DjangoValidationError, sent: dict[str, Any]
) -> exceptions.ValidationError:
    """The search names its fields as the page does: name them as this API's parameters."""
    errors: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        if field == "date_of_birth":
            field = "dob" if "dob" in sent else "dob_year"
        elif field == "__all__":
            field = "non_field_errors"
        errors.setdefault(field, []).extend(messages)
    return exceptions.ValidationError(errors)


class PeopleApi(APIView):
    """Find people, and add a new one."""

    # An API token needs people:read to read, people:write to change (casemgmt/api_tokens/scopes.py).
    api_scope = "people"

    @extend_schema(
        operation_id="people_search",
        tags=TAGS,
        summary="Find people",
        description=(
            "Finds people by name (spelling mistakes, sound-alikes, former names and "
            "aliases included), by full or partial date of birth, by identifier and by "
            "postcode, in any combination, best match first, 20 to a page. Give at least "
            "one of them. Every search is recorded in the audit trail."
        ),
        parameters=_SEARCH_PARAMETERS,
        responses={
            200: OpenApiResponse(PersonSearchOutput, description="A page of people found."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            403: OpenApiResponse(ErrorOutput, description="You may not look people up."),
        },
        examples=[
            OpenApiExample(
                "A misspelt name and a year of birth",
                response_only=True,
                value={
                    "count": 1,
                    "is_capped": False,
                    "page": 1,
                    "page_count": 1,
                    "page_size": 20,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "id": 1042,
                            "full_name": "Jayden Whitmore",
                            "first_name": "Jayden",
                            "last_name": "Whitmore",
                            "preferred_name": "Jay",
                            "date_of_birth": "2015-03-14",
                            "age": 10,
                            "is_deceased": False,
                            "sex": "M",
                            "nhs_number": "9434765919",
                            "postcode": "NT1 4AB",
                            "matched_name": "",
                            "matched_name_kind": "",
                            "score": 1.6875,
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        if not permissions.can(request.user, roles.VIEW_PERSON):
            raise PermissionDenied("You may not look people up.")
        serializer = PersonSearchInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        sent = dict(serializer.validated_data)
        criteria = SearchCriteria(
            name=sent.get("name") or "",
            date_of_birth=sent.get("dob") or None,
            dob_year=sent.get("dob_year"),
            dob_month=sent.get("dob_month"),
            dob_day=sent.get("dob_day"),
            identifier=sent.get("identifier") or "",
            postcode=sent.get("postcode") or "",
            page=sent.get("page") or 1,
        )
        try:
            results = search_people(user=request.user, criteria=criteria)
        except DjangoValidationError as error:
            raise _search_errors(error, sent) from error
        events.people_searched(
            actor=_actor(request), criteria=criteria.describe(), result_count=results.total
        )
        return Response(PersonSearchOutput(results, context={"request": request}).data)

    @extend_schema(
        operation_id="people_create",
        tags=TAGS,
        summary="Add a person",
        description=(
            "Creates a person record, with an optional first address. Needs the "
            "capability to add people. Check for duplicates with a search first. "
            "Answers 201 with the new record, its URL in Location and its ETag."
        ),
        request=PersonCreateInput,
        responses={
            201: OpenApiResponse(PersonDetailOutput, description="Created."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            403: OpenApiResponse(ErrorOutput, description="You may not add people."),
            413: _TOO_LARGE,
            415: _NOT_JSON,
        },
        parameters=[
            OpenApiParameter(
                "Location",
                str,
                OpenApiParameter.HEADER,
                description="The new person's URL in this API.",
                response=[201],
            ),
            _etag_header(201),
        ],
        examples=[
            OpenApiExample(
                "A child with a home address",
                request_only=True,
                value={
                    "first_name": "Jayden",
                    "last_name": "Whitmore",
                    "date_of_birth": "2015-03-14",
                    "sex": "M",
                    "ethnicity": "WBRI",
                    "nhs_number": "943 476 5919",
                    "disabilities": ["AUT"],
                    "address": {
                        "line_1": "12 Acacia Avenue",
                        "town": "Northtown",
                        "postcode": "nt1 4ab",
                        "start_date": "2021-06-01",
                    },
                },
            ),
            _DETAIL_EXAMPLE,
        ],
    )
    def post(self, request: Request) -> Response:
        if not permissions.can(request.user, roles.ADD_PERSON):
            raise PermissionDenied("You may not add people.")
        serializer = PersonCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            person = person_create(actor=_actor(request), **serializer.validated_data)
        except DjangoValidationError as error:
            raise _as_api_errors(error) from error
        location = request.build_absolute_uri(reverse("api-person", args=[person.pk]))
        return _record_response(request, person, status=201, headers={"Location": location})


# ----------------------------------------------------------------------------------------
# /api/v1/people/{person_id}/
# ----------------------------------------------------------------------------------------


class PersonApi(APIView):
    """One person's record: read it, change it."""

    api_scope = "people"

    @extend_schema(
        operation_id="people_retrieve",
        tags=TAGS,
        summary="Get a person's record",
        description=(
            "Demographics, identifiers, addresses (the current one picked out), other "
            "names, disabilities, alerts open today and the current allocation. Every "
            "call is recorded in the person's access log."
        ),
        parameters=[_PERSON_ID, _etag_header(200)],
        responses={
            200: OpenApiResponse(PersonDetailOutput, description="The person's record."),
            401: _UNAUTHENTICATED,
            404: _NOT_FOUND,
        },
        examples=[_DETAIL_EXAMPLE],
    )
    def get(self, request: Request, person_id: int) -> Response:
        person = permissions.access_person(request.user, person_id)
        return _record_response(request, person)

    @extend_schema(
        operation_id="people_partial_update",
        tags=TAGS,
        summary="Change a person's details",
        description=(
            "Changes only the fields sent; `disabilities`, when sent, replaces the list. "
            "Send the ETag from your last GET in If-Match so that you never overwrite "
            "someone else's change unseen: if the record has changed since, the answer is "
            "412 and nothing is saved. Needs the capability to change people."
        ),
        request=PersonUpdateInput,
        parameters=[
            _PERSON_ID,
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description='The ETag from your last GET, like "5d41402abc4b2a76b9719d911017c592".',
            ),
            _etag_header(200),
        ],
        responses={
            200: OpenApiResponse(PersonDetailOutput, description="The changed record."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            404: _NOT_FOUND,
            412: OpenApiResponse(
                ErrorOutput,
                description="The record changed since the ETag in If-Match; nothing was saved.",
            ),
            413: _TOO_LARGE,
            415: _NOT_JSON,
        },
        examples=[
            OpenApiExample(
                "Record a preferred name and an interpreter",
                request_only=True,
                value={
                    "preferred_name": "Jay",
                    "first_language": "Polish",
                    "interpreter_required": True,
                },
            ),
            _DETAIL_EXAMPLE,
        ],
    )
    def patch(self, request: Request, person_id: int) -> Response:
        # A person page refuses a missing capability with 404 too: nothing to tell apart.
        if not permissions.can_change_person(request.user):
            raise Http404("No such person.")
        person = permissions.access_person(request.user, person_id)
        serializer = PersonUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes: dict[str, Any] = dict(serializer.validated_data)
        with transaction.atomic():
            # Hold the row while comparing versions so no one changes it in between.
            person = Person.objects.select_for_update().get(pk=person.pk)
            if not if_match_passes(request, person_etag(person)):
                raise PreconditionFailed(
                    "This person's details have changed since you fetched them. GET the "
                    "record again, check your change still applies, and send the new ETag "
                    "in If-Match."
                )
            try:
                person = person_update(actor=_actor(request), person=person, **changes)
            except DjangoValidationError as error:
                raise _as_api_errors(error) from error
        return _record_response(request, person)
