"""The work API under /api/v1/: trays, and steps (read, save answers, complete, authorise).

The same rules as the pages, for the offline app and integrations. Trays come from the
scoped selectors; a step comes through `permissions.access_step`, so a step that is
missing and one out of reach are the same 404. Every change goes through the services,
which validate, audit and refuse with a reason: a step the user may see but not change
is a 403 that says why, a step no longer open a 409. Saving needs the version the
caller started from (the ETag in If-Match, or `version` in the body): if someone else
saved first the answer is 412, with their answers and yours, and nothing is lost.
Every response that shows a step's answers writes one access event.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casemgmt import audit
from casemgmt.api import ErrorOutput, ValidationErrorOutput, if_match_passes
from casemgmt.models import Team, User
from clients.serializers import _printable
from workflows import permissions, selectors
from workflows.models import Step, StepDecision, StepLink
from workflows.serializers import (
    AnswersInput,
    AuthorisationQueueOutput,
    AuthoriseInput,
    CompleteInput,
    Decision,
    MyWorkOutput,
    MyWorkQueryInput,
    PageQueryInput,
    StepDetailOutput,
    TeamTrayOutput,
    TeamTrayQueryInput,
)
from workflows.services import (
    AnswersInvalid,
    NextAction,
    StepConflict,
    StepError,
    offered_actions,
    step_authorise,
    step_complete,
    step_return,
    step_save,
)
from workflows.views.trays import step_page_url

WORK_TAGS = ["Work"]
STEP_TAGS = ["Steps"]
MESSAGE_LIMIT = 300


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the step's version: the ETag from your last GET in If-Match, or `version` in "
        "the body, so that no one else's saved answers are overwritten unseen."
    )
    default_code = "precondition_required"


class StepNotOpen(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This step can no longer be changed."
    default_code = "conflict"


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def _actor(request: Request) -> User:
    # Every view here requires a signed-in, active user (DEFAULT_PERMISSION_CLASSES).
    return cast(User, request.user)


def step_etag(step: Step) -> str:
    """A strong ETag for the step's version; every save changes it."""
    return f'"{step.version}"'


def _step_viewed(request: Request, step: Step, what: str) -> None:
    subject = "" if step.person_id else f" for {step.group}"
    audit.record_access(
        actor=_actor(request),
        action="view",
        person_id=step.person_id,
        object_type="workflows.step",
        object_id=step.pk,
        summary=f"Viewed {step.step_type.name}{subject} ({what})",
    )


def _reference(obj: Any, name: str) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": name}


def step_detail(request: Request, step: Step) -> dict[str, Any]:
    """Everything the step's output shows (a fixed number of queries)."""
    user = _actor(request)
    next_steps = [
        {
            "id": link.to_step.pk,
            "step_type_name": link.to_step.step_type.name,
            "status": link.to_step.status,
            "assignee_name": str(link.to_step.assignee) if link.to_step.assignee_id else "",
            "team_name": link.to_step.team.name,
        }
        for link in StepLink.objects.filter(from_step=step)
        .select_related("to_step__step_type", "to_step__assignee", "to_step__team")
        .order_by("to_step__created_at", "to_step_id")
    ]
    decisions = [
        {
            "decision": decision.decision,
            "comments": decision.comments,
            "decided_by": str(decision.decided_by),
            "decided_at": decision.decided_at,
        }
        for decision in StepDecision.objects.filter(step=step).select_related("decided_by")
    ]
    step_type = step.step_type
    return {
        "id": step.pk,
        "version": step.version,
        "status": step.status,
        "status_label": step.get_status_display(),
        "step_type": step_type,
        "workflow": _reference(step_type.workflow, step_type.workflow.name),
        "episode_id": step.episode_id,
        "person": _reference(step.person, step.person.full_name) if step.person else None,
        "group": _reference(step.group, str(step.group)) if step.group else None,
        "assignee": _reference(step.assignee, str(step.assignee)) if step.assignee else None,
        "team": _reference(step.team, step.team.name),
        "created_at": step.created_at,
        "started_on": step.started_on,
        "due_date": step.due_date,
        "is_overdue": step.is_overdue,
        "event_date": step.event_date,
        "submitted_at": step.submitted_at,
        "authorised_at": step.authorised_at,
        "completed_at": step.completed_at,
        "form": {
            "version_id": step.form_version.pk,
            "code": step.form_version.schema.get("form", ""),
            "number": step.form_version.number,
            "schema": step.form_version.schema,
        },
        "answers": step.answers,
        "next_actions": offered_actions(step) if step.is_open else [],
        "pending_actions": step.pending_actions,
        "next_steps": next_steps,
        "decisions": decisions,
        "abilities": {
            "record": permissions.can_record_step(user, step),
            "authorise": permissions.can_authorise_step(user, step)[0],
            "allocate": permissions.can_allocate_step(user, step),
        },
        "page_url": request.build_absolute_uri(step_page_url(step.pk)),
    }


def _step_response(request: Request, step: Step, *, what: str) -> Response:
    """The step as JSON with its ETag, and the one access event for showing it."""
    step = permissions.access_step(_actor(request), step.pk)
    _step_viewed(request, step, what)
    return Response(
        StepDetailOutput(step_detail(request, step)).data, headers={"ETag": step_etag(step)}
    )


def _expected_version(request: Request, step: Step, sent: int | None) -> int | None:
    """The version the caller started from (412 if it is not the step's; 428 if not said)."""
    header = request.headers.get("If-Match")
    if header is None and sent is None:
        raise PreconditionRequired()
    if header is not None and not if_match_passes(request, step_etag(step)):
        raise StepConflict(step)
    if sent is not None:
        return sent
    # If-Match matched this version (or was "*", which accepts any).
    return step.version if header and header.strip() != "*" else None


def _conflict_response(
    request: Request, error: StepConflict, sent: dict[str, Any] | None
) -> Response:
    """412 with both versions of the answers: theirs (saved) and yours (not saved)."""
    current = error.step
    _step_viewed(request, current, "conflicting save (API)")
    body = {
        "detail": str(error),
        "version": current.version,
        "answers": current.answers,
        "your_answers": sent,
    }
    return Response(
        StepConflictOutput(body).data,
        status=status.HTTP_412_PRECONDITION_FAILED,
        headers={"ETag": step_etag(current)},
    )


def _short(text: str) -> str:
    text = str(text)
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "\u2026"


def _answer_errors(error: AnswersInvalid) -> exceptions.ValidationError:
    """The forms engine's errors, under `answers`, keyed by question (group rows: key-i-child)."""
    errors = {
        _printable(key): [_short(message) for message in messages][:10]
        for key, messages in list(error.errors.items())[:200]
    }
    return exceptions.ValidationError({"answers": errors})


def _require_open_for_recording(user: User, step: Step) -> None:
    if step.status not in (Step.Status.PLANNED, Step.Status.IN_PROGRESS):
        raise StepNotOpen(
            f"This step is {step.get_status_display().lower()}: its answers can no longer change."
        )
    if not permissions.can_record_step(user, step):
        raise exceptions.PermissionDenied(
            "Only the worker this step is allocated to, a manager of its team, or (while it "
            "is unallocated) someone in that team may record on it."
        )


# ----------------------------------------------------------------------------------------
# Schema pieces
# ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="StepConflict")
class StepConflictOutput(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(help_text="The step's version now.")
    answers = serializers.JSONField(help_text="The answers saved by someone else.")
    your_answers = serializers.JSONField(
        allow_null=True, help_text="The answers you sent, which were not saved."
    )


_STEP_ID = OpenApiParameter("step_id", int, OpenApiParameter.PATH, description="The step's ID.")
_TEAM_ID = OpenApiParameter("team_id", int, OpenApiParameter.PATH, description="The team's ID.")
_ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    description="The step's version. Send it back in If-Match when saving.",
    response=[200],
)
_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The ETag from your last GET, like "3". Needed unless `version` is in the body.',
)
_UNAUTHENTICATED = OpenApiResponse(ErrorOutput, description="Not signed in.")
_NOT_FOUND = OpenApiResponse(
    ErrorOutput, description="No such step, or not one you may see (the two are not told apart)."
)
_INVALID = OpenApiResponse(
    ValidationErrorOutput,
    description="The body is not valid. Each field at fault is named with the reasons; "
    "answers are keyed by question under `answers`.",
    examples=[
        OpenApiExample(
            "A date that is not a date, and an unknown question",
            value={
                "errors": {
                    "answers": {
                        "contact_date": ["Date of contact must be a real date"],
                        "colour": ["'colour' is not a question on this form"],
                    }
                }
            },
        )
    ],
)
_CONFLICT = OpenApiResponse(
    StepConflictOutput,
    description="Someone saved the step since your version: nothing was saved. Their answers "
    "and yours are both in the body.",
)
_NOT_OPEN = OpenApiResponse(ErrorOutput, description="The step is no longer open to this change.")
_REFUSED = OpenApiResponse(
    ErrorOutput, description="You may see the step but not do this; the reason is given."
)
_TOO_LARGE = OpenApiResponse(ErrorOutput, description="The body is larger than the server accepts.")
_NOT_JSON = OpenApiResponse(ErrorOutput, description="The body is not application/json.")
_NO_VERSION = OpenApiResponse(
    ErrorOutput, description="Neither If-Match nor `version` was sent: nothing was saved."
)


def _query_parameters(*names: str) -> list[OpenApiParameter]:
    described = {
        "tab": OpenApiParameter(
            "tab",
            str,
            enum=list(selectors.MyWorkTab.values),
            description="current (incoming and in progress, the default), due_soon, overdue, "
            "or awaiting (with a manager).",
        ),
        "step_type": OpenApiParameter("step_type", int, description="Only this kind of work."),
        "due": OpenApiParameter(
            "due", str, enum=list(selectors.DueFilter.values), description="soon or overdue."
        ),
        "sort": OpenApiParameter(
            "sort",
            str,
            enum=[key for key, _ in selectors.SORTS.items()],
            description="due (the default), received, name or type; a leading - reverses it.",
        ),
        "page": OpenApiParameter(
            "page", int, description=f"Page number, from 1; {selectors.PAGE_SIZE} to a page."
        ),
    }
    return [described[name] for name in names]


# ----------------------------------------------------------------------------------------
# Trays
# ----------------------------------------------------------------------------------------


class MyWorkApi(APIView):
    # An API token needs work:read to read, work:write to change (casemgmt/api_tokens/scopes.py).
    api_scope = "work"

    @extend_schema(
        operation_id="work_mine",
        tags=WORK_TAGS,
        summary="My work",
        description="The signed-in worker's open work, a tab at a time: current (incoming "
        "and in progress), due soon (within five working days), overdue, or awaiting "
        "authorisation, with the size of every tab. Sorted by due date unless asked.",
        parameters=_query_parameters("tab", "sort", "page"),
        responses={
            200: OpenApiResponse(MyWorkOutput, description="A page of the tray."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            403: OpenApiResponse(ErrorOutput, description="Your role does not include casework."),
        },
    )
    def get(self, request: Request) -> Response:
        if not selectors.can_view_work(request.user):
            raise exceptions.PermissionDenied("Your role does not include casework.")
        query = MyWorkQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        sent = query.validated_data
        work = selectors.my_work(
            request.user,
            filter=sent.get("tab") or selectors.MyWorkTab.CURRENT,
            sort=sent.get("sort") or selectors.DEFAULT_SORT,
            page=sent.get("page") or 1,
        )
        return Response(MyWorkOutput(work, context={"request": request}).data)


class TeamTrayApi(APIView):
    api_scope = "work"

    @extend_schema(
        operation_id="work_team_tray",
        tags=WORK_TAGS,
        summary="A team's tray",
        description="Incoming work in a team's tray that nobody has been given yet, with "
        "counts by kind of work. For members of the team and its managers.",
        parameters=[_TEAM_ID, *_query_parameters("step_type", "due", "sort", "page")],
        responses={
            200: OpenApiResponse(TeamTrayOutput, description="A page of the tray."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            404: OpenApiResponse(
                ErrorOutput, description="No such team, or not one whose tray you may open."
            ),
        },
    )
    def get(self, request: Request, team_id: int) -> Response:
        team = selectors.access_team_tray(request.user, team_id)
        query = TeamTrayQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        sent = query.validated_data
        tray = selectors.team_tray(
            request.user,
            team,
            step_type_id=sent.get("step_type"),
            due=sent.get("due") or None,
            sort=sent.get("sort") or selectors.DEFAULT_SORT,
            page=sent.get("page") or 1,
        )
        return Response(TeamTrayOutput(tray, context={"request": request}).data)


class AuthorisationsApi(APIView):
    api_scope = "work"

    @extend_schema(
        operation_id="work_authorisations",
        tags=WORK_TAGS,
        summary="Work awaiting authorisation",
        description="Work submitted in the teams you manage (a service area's manager: all "
        "its teams), waiting for a manager's decision, the longest waiting first.",
        parameters=_query_parameters("page"),
        responses={
            200: OpenApiResponse(AuthorisationQueueOutput, description="A page of the queue."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            403: OpenApiResponse(ErrorOutput, description="Your role does not authorise work."),
        },
    )
    def get(self, request: Request) -> Response:
        if not selectors.can_view_authorisations(request.user):
            raise exceptions.PermissionDenied("Your role does not include authorising work.")
        query = PageQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        queue = selectors.authorisation_queue(
            request.user, page=query.validated_data.get("page") or 1
        )
        return Response(AuthorisationQueueOutput(queue, context={"request": request}).data)


# ----------------------------------------------------------------------------------------
# Steps
# ----------------------------------------------------------------------------------------


class StepApi(APIView):
    api_scope = "work"

    @extend_schema(
        operation_id="steps_retrieve",
        tags=STEP_TAGS,
        summary="Get a step",
        description="The step with its form (the pinned version's schema), its answers, "
        "the next actions offered for those answers, and what you may do to it. Recorded "
        "in the person's access log.",
        parameters=[_STEP_ID, _ETAG],
        responses={200: StepDetailOutput, 401: _UNAUTHENTICATED, 404: _NOT_FOUND},
    )
    def get(self, request: Request, step_id: int) -> Response:
        step = permissions.access_step(request.user, step_id)
        return _step_response(request, step, what="API")


class StepAnswersApi(APIView):
    api_scope = "work"

    def _save(self, request: Request, step_id: int, *, merge: bool) -> Response:
        user = _actor(request)
        step = permissions.access_step(user, step_id)
        body = AnswersInput(data=request.data)
        body.is_valid(raise_exception=True)
        sent: dict[str, Any] = body.validated_data["answers"]
        _require_open_for_recording(user, step)
        try:
            expected = _expected_version(request, step, body.validated_data.get("version"))
            answers = {**step.answers, **sent} if merge else sent
            step = step_save(actor=user, step=step, answers=answers, expected_version=expected)
        except StepConflict as error:
            return _conflict_response(request, error, sent)
        except AnswersInvalid as error:
            raise _answer_errors(error) from error
        except StepError as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return _step_response(request, step, what="saved answers (API)")

    _save_schema: dict[str, Any] = {
        "tags": STEP_TAGS,
        "request": AnswersInput,
        "parameters": [_STEP_ID, _IF_MATCH, _ETAG],
        "responses": {
            200: OpenApiResponse(StepDetailOutput, description="Saved: the step as it is now."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            403: _REFUSED,
            404: _NOT_FOUND,
            409: _NOT_OPEN,
            412: _CONFLICT,
            413: _TOO_LARGE,
            415: _NOT_JSON,
            428: _NO_VERSION,
        },
    }

    @extend_schema(
        operation_id="steps_answers_update",
        summary="Replace a step's answers",
        description="Saves these answers in place of all the step's answers. Questions "
        "may be left empty until the step is completed; every answer must be of its "
        "question's type. Send the version you started from.",
        **_save_schema,
    )
    def put(self, request: Request, step_id: int) -> Response:
        return self._save(request, step_id, merge=False)

    @extend_schema(
        operation_id="steps_answers_partial_update",
        summary="Change some of a step's answers",
        description="Saves the answers sent, keeping the others (null clears an answer). "
        "Send the version you started from.",
        **_save_schema,
    )
    def patch(self, request: Request, step_id: int) -> Response:
        return self._save(request, step_id, merge=True)


class StepCompleteApi(APIView):
    api_scope = "work"

    @extend_schema(
        operation_id="steps_complete",
        tags=STEP_TAGS,
        summary="Complete a step",
        description="Checks every required answer, then completes the step with the next "
        "actions chosen (each starts a new step, or no further action closes the "
        "episode). A step that needs authorisation goes to a manager instead, and its "
        "next actions start when they approve it.",
        request=CompleteInput,
        parameters=[_STEP_ID, _IF_MATCH, _ETAG],
        responses={
            200: OpenApiResponse(StepDetailOutput, description="Completed or submitted."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            403: _REFUSED,
            404: _NOT_FOUND,
            409: _NOT_OPEN,
            412: _CONFLICT,
            413: _TOO_LARGE,
            415: _NOT_JSON,
            428: _NO_VERSION,
        },
        examples=[
            OpenApiExample(
                "Assessment next, in the team's tray",
                request_only=True,
                value={
                    "answers": {"contact_date": "2026-12-01", "decision": "assess"},
                    "version": 3,
                    "next_actions": [{"transition": 12, "team": 4}],
                },
            )
        ],
    )
    def post(self, request: Request, step_id: int) -> Response:
        user = _actor(request)
        step = permissions.access_step(user, step_id)
        body = CompleteInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        _require_open_for_recording(user, step)
        actions = [
            NextAction(
                transition_id=choice["transition"],
                assignee_id=choice.get("assignee"),
                team_id=choice.get("team"),
            )
            for choice in data["next_actions"]
        ]
        _check_people_and_teams(actions)
        sent = data.get("answers")
        try:
            expected = _expected_version(request, step, data.get("version"))
            step = step_complete(
                actor=user,
                step=step,
                answers=step.answers if sent is None else sent,
                expected_version=expected,
                next_actions=actions,
            )
        except StepConflict as error:
            return _conflict_response(request, error, sent)
        except AnswersInvalid as error:
            raise _answer_errors(error) from error
        except StepError as error:
            raise exceptions.ValidationError({"next_actions": [_short(str(error))]}) from error
        return _step_response(request, step, what="completed (API)")


def _check_people_and_teams(actions: list[NextAction]) -> None:
    """Each worker and team named for a next action exists and can take work."""
    workers = {a.assignee_id for a in actions if a.assignee_id is not None}
    teams = {a.team_id for a in actions if a.team_id is not None}
    active_workers = set(
        User.objects.filter(pk__in=workers, is_active=True).values_list("pk", flat=True)
    )
    active_teams = set(
        Team.objects.filter(pk__in=teams, kind=Team.Kind.TEAM, is_active=True).values_list(
            "pk", flat=True
        )
    )
    errors: dict[str, dict[str, list[str]]] = {}
    for index, action in enumerate(actions):
        problems: dict[str, list[str]] = {}
        if action.assignee_id is not None and action.assignee_id not in active_workers:
            problems["assignee"] = [f"There is no active worker with the id {action.assignee_id}."]
        if action.team_id is not None and action.team_id not in active_teams:
            problems["team"] = [f"There is no active team with the id {action.team_id}."]
        if problems:
            errors[str(index)] = problems
    if errors:
        raise exceptions.ValidationError({"next_actions": errors})


class StepAuthoriseApi(APIView):
    api_scope = "work"

    @extend_schema(
        operation_id="steps_authorise",
        tags=STEP_TAGS,
        summary="Authorise or return a step",
        description="A manager's decision on submitted work: approve (the step completes "
        "and its next actions start) or return it to the worker with comments saying "
        "what to change. If-Match or `version`, when sent, must be the step's version.",
        request=AuthoriseInput,
        parameters=[_STEP_ID, _IF_MATCH, _ETAG],
        responses={
            200: OpenApiResponse(StepDetailOutput, description="Decided: the step as it is now."),
            400: _INVALID,
            401: _UNAUTHENTICATED,
            403: _REFUSED,
            404: _NOT_FOUND,
            409: _NOT_OPEN,
            412: _CONFLICT,
            413: _TOO_LARGE,
            415: _NOT_JSON,
        },
        examples=[
            OpenApiExample(
                "Return with comments",
                request_only=True,
                value={
                    "decision": "return",
                    "comments": "Please record who the child was seen with.",
                    "version": 4,
                },
            )
        ],
    )
    def post(self, request: Request, step_id: int) -> Response:
        user = _actor(request)
        step = permissions.access_step(user, step_id)
        body = AuthoriseInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if step.status != Step.Status.AWAITING_AUTHORISATION:
            raise StepNotOpen("This step is not waiting for authorisation.")
        allowed, reason = permissions.can_authorise_step(user, step)
        if not allowed:
            raise exceptions.PermissionDenied(reason)
        sent_version = data.get("version")
        header = request.headers.get("If-Match")
        if (header is not None and not if_match_passes(request, step_etag(step))) or (
            sent_version is not None and sent_version != step.version
        ):
            return _conflict_response(request, StepConflict(step), None)
        comments = data.get("comments") or ""
        if data["decision"] == Decision.APPROVE:
            try:
                step = step_authorise(actor=user, step=step, comments=comments)
            except StepError as error:
                # Starting the next steps can fail (say, no tray to put them in): say why.
                raise exceptions.ValidationError(
                    {"non_field_errors": [_short(str(error))]}
                ) from error
        else:
            try:
                step = step_return(actor=user, step=step, comments=comments)
            except StepError as error:
                # Once the checks above pass, only the comments can be at fault.
                raise exceptions.ValidationError({"comments": [_short(str(error))]}) from error
        return _step_response(request, step, what="authorisation decision (API)")
