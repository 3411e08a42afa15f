"""Running a step: starting work, the form (save, autosave, conflicts), completing with next
actions, authorising or returning, and cancelling.

Every page fetches its step through `access_step` (404 for missing and forbidden alike);
a step the worker may see but not act on gets a 403 page that says why and shows nothing
of the record. Every page that shows a step's answers writes one access event per person
it is about (a group step: each current member).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt import audit, roles
from casemgmt.models import AuditEvent, Team, User
from clients import events as person_events
from clients.models import Group, GroupMembership, Person
from clients.permissions import access_person, can
from clients.search import SearchCriteria, search_people
from clients.selectors import person_list_visible_to
from clients.views.common import person_banner_context, render_person_page
from workflows import forms_html, services
from workflows.forms_engine import Errors, field_map, validate_answers
from workflows.models import FormVersion, Step, StepDecision, StepType, Transition
from workflows.permissions import (
    access_step,
    can_authorise_step,
    can_cancel_step,
    can_record_step,
    can_start_step_type,
    current_team_ids,
)

CANCEL_REASON_LIMIT = 300
COMMENTS_LIMIT = 5000
FIND_PERSON_LIMIT = 10


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


# -- audit and page chrome ----------------------------------------------------------------


def _subject_people(step: Step) -> list[Person]:
    """Whom the step is about: its person, or the current members of its group."""
    if step.person is not None:
        return [step.person]
    return [
        membership.person
        for membership in GroupMembership.objects.filter(group=step.group, end_date__isnull=True)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person_id")
    ]


def _record_view(user: User, step: Step, people: Iterable[Person], what: str) -> None:
    for subject in people:
        audit.record_access(
            actor=user,
            action="view",
            person_id=subject.pk,
            object_type="step",
            object_id=step.pk,
            summary=f"Viewed {what}: {step.step_type.name}",
        )


def _render_step_page(
    request: HttpRequest,
    template: str,
    step: Step,
    context: dict[str, Any],
    *,
    what: str,
    status: int = 200,
) -> HttpResponse:
    """A page about a step: the person's banner (or the group's members) and its access events."""
    user = _actor(request)
    people = _subject_people(step)
    _record_view(user, step, people, what)
    page: dict[str, Any] = {"step": step, "members": people if step.group_id else []}
    if step.person is not None:
        page.update(person_banner_context(step.person, user, tab=""))
        page["layout"] = "clients/_person_layout.html"
    else:
        page["layout"] = "base.html"
        page["nav"] = "people"
    page.update(context)
    return render(request, template, page, status=status)


def _refused(request: HttpRequest, step: Step, reason: str, *, title: str) -> HttpResponse:
    """A step the worker may see, but not act on this way: say why, show nothing of the record."""
    return render(
        request,
        "workflows/step_refused.html",
        {"step": step, "reason": reason, "title": title},
        status=403,
    )


def _record_refusal(user: User, step: Step) -> str:
    if step.status == Step.Status.AWAITING_AUTHORISATION:
        return "This step is waiting for a manager's authorisation, so it cannot be changed now."
    if not step.is_open:
        return f"This step is {step.get_status_display().lower()}, so it cannot be changed."
    if not can(user, roles.RECORD_STEP):
        return "Your role does not allow you to record work."
    if step.assignee_id is None:
        return f"This work is in the {step.team} tray: only that team can record on it."
    return (
        f"This work is with {step.assignee}. Only they, or a manager of {step.team}, "
        "can record on it."
    )


# -- people named in answers --------------------------------------------------------------


def _people_names(user: User, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = person_list_visible_to(user=user).filter(pk__in=ids)
    return {person.pk: _person_label(person) for person in found}


def _person_label(person: Person) -> str:
    if person.date_of_birth:
        born = person.date_of_birth
        return f"{person.full_name}, born {born.day} {born:%B %Y}"
    return person.full_name


# -- starting work ----------------------------------------------------------------------------


@dataclasses.dataclass
class StartOption:
    step_type: StepType
    allowed: bool
    reason: str


def _start_options(user: User, subject: str) -> list[StartOption]:
    published = FormVersion.objects.filter(
        form_id=OuterRef("form_id"), status=FormVersion.Status.PUBLISHED
    )
    step_types = (
        StepType.objects.filter(is_entry_point=True, subject=subject, workflow__is_active=True)
        .select_related("workflow")
        .prefetch_related("start_roles")
        .annotate(has_form=Exists(published))
        .order_by("workflow__service", "workflow__name", "order", "name")
    )
    options = []
    for step_type in step_types:
        allowed, reason = can_start_step_type(user, step_type)
        if allowed and not step_type.has_form:
            allowed, reason = False, f"The form for {step_type.name.lower()} is not published yet."
        options.append(StartOption(step_type=step_type, allowed=allowed, reason=reason))
    return options


def _split(options: list[StartOption]) -> dict[str, list[StartOption]]:
    return {
        "allowed_options": [option for option in options if option.allowed],
        "refused_options": [option for option in options if not option.allowed],
    }


def _chosen_step_type(options: list[StartOption], value: str | None) -> StartOption | None:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    return next((o for o in options if o.step_type.pk == int(text)), None)


def _start(
    request: HttpRequest, options: list[StartOption], **subject: Any
) -> tuple[Step | None, str]:
    option = _chosen_step_type(options, request.POST.get("step_type"))
    if option is None:
        return None, "Choose the work to start"
    if not option.allowed:
        return None, option.reason
    try:
        step = services.step_start(actor=_actor(request), step_type=option.step_type, **subject)
    except services.StepError as error:
        return None, str(error)
    return step, ""


def _require_start(user: User) -> None:
    # Pages about a record answer 404 to a role that may not use them, like the record itself.
    if not can(user, roles.START_STEP):
        raise Http404("No such page.")


@login_required
@require_http_methods(["GET", "POST"])
def step_start_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The work that can be started on a person, and starting it."""
    user = _actor(request)
    person = access_person(user, person_id)
    _require_start(user)
    options = _start_options(user, StepType.Subject.PERSON)
    error = ""
    if request.method == "POST":
        step, error = _start(request, options, person=person)
        if step is not None:
            messages.success(request, f"{step.step_type.name} started.")
            return redirect("step-detail", step_id=step.pk)
    return render_person_page(
        request,
        "workflows/step_start.html",
        person,
        {
            **_split(options),
            "error": error,
            "subject_name": person.full_name,
            "layout": "clients/_person_layout.html",
        },
        what="work that can be started",
        tab="summary",
    )


def _access_group(user: User, group_id: int) -> tuple[Group, list[Person]]:
    """A group with a member the user may see, and its current members; otherwise 404."""
    group = Group.objects.filter(pk=group_id).first()
    visible = person_list_visible_to(user=user)
    if group is None or not visible.filter(group_memberships__group_id=group_id).exists():
        raise Http404("No such group.")
    members = [
        membership.person
        for membership in GroupMembership.objects.filter(
            group=group, end_date__isnull=True, person__in=visible
        )
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person_id")
    ]
    return group, members


@login_required
@require_http_methods(["GET", "POST"])
def step_start_group(request: HttpRequest, group_id: int) -> HttpResponse:
    """The work that can be started on a family group or household, and starting it."""
    user = _actor(request)
    group, members = _access_group(user, group_id)
    _require_start(user)
    options = _start_options(user, StepType.Subject.GROUP)
    error = ""
    if request.method == "POST":
        step, error = _start(request, options, group=group)
        if step is not None:
            messages.success(request, f"{step.step_type.name} started for {group.name}.")
            return redirect("step-detail", step_id=step.pk)
    for member in members:
        audit.record_access(
            actor=user,
            action="view",
            person_id=member.pk,
            object_type="group",
            object_id=group.pk,
            summary=f"Viewed work that can be started for {group.name}",
        )
    return render(
        request,
        "workflows/step_start.html",
        {
            "group": group,
            "members": members,
            **_split(options),
            "error": error,
            "subject_name": group.name,
            "layout": "base.html",
            "nav": "people",
        },
    )


# -- the step page: the form, saving, restoring, conflicts ----------------------------------


def _posted_version(data: Mapping[str, Any]) -> int:
    """The version the form was loaded at; anything unreadable meets the conflict check."""
    text = str(data.get("version", "")).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


def _draft_offer(user: User, step: Step, current: dict[str, Any]) -> dict[str, Any] | None:
    """The worker's autosaved draft, if it holds anything the saved answers do not."""
    draft = services.draft_for(actor=user, step=step)
    if draft is None or not isinstance(draft.answers, dict):
        return None
    answers, errors = forms_html.answers_from_raw(step.form_version.schema, draft.answers)
    if not errors and answers == current:
        return None
    saved_at = timezone.localtime(draft.saved_at)
    return {"saved_at": saved_at, "when": _when(saved_at), "draft": draft}


def _when(moment: Any) -> str:
    """ "14:02", or "14:02 on 3 March 2026" when it was not today."""
    if moment.date() == timezone.localdate():
        return f"{moment:%H:%M}"
    return f"{moment:%H:%M} on {moment.day} {moment:%B %Y}"


def _form_context(
    request: HttpRequest,
    step: Step,
    raw: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    *,
    version: int,
) -> dict[str, Any]:
    user = _actor(request)
    schema = step.form_version.schema
    people = _people_names(user, forms_html.raw_person_ids(schema, raw))
    form = forms_html.build_form(
        schema,
        raw,
        errors,
        people=people,
        find_person_url=reverse("step-find-person", kwargs={"step_id": step.pk}),
        search_url=reverse("clients:search"),
    )
    return {
        "form": form,
        "version": version,
        "can_record": True,
        "autosave_url": reverse("step-autosave", kwargs={"step_id": step.pk}),
    }


def _step_context(request: HttpRequest, step: Step) -> dict[str, Any]:
    """What every state of the step page shows around the form or the answers."""
    user = _actor(request)
    can_authorise, _ = can_authorise_step(user, step)
    returned = None
    if step.status == Step.Status.IN_PROGRESS:
        returned = (
            StepDecision.objects.filter(step=step)
            .select_related("decided_by")
            .order_by("-decided_at", "-id")
            .first()
        )
        if returned is not None and returned.decision != StepDecision.Decision.RETURNED:
            returned = None
    return {
        "can_authorise": can_authorise,
        "can_cancel": can_cancel_step(user, step),
        "returned": returned,
        "is_overdue": step.is_overdue,
    }


def _read_only(request: HttpRequest, step: Step) -> dict[str, Any]:
    schema = step.form_version.schema
    answers = step.answers if isinstance(step.answers, dict) else {}
    people = _people_names(_actor(request), forms_html.person_ids(schema, answers))
    decisions = list(
        StepDecision.objects.filter(step=step).select_related("decided_by").order_by("decided_at")
    )
    return {
        "answers": forms_html.display_answers(schema, answers, people),
        "decisions": decisions,
        "can_record": False,
    }


@login_required
@require_http_methods(["GET", "POST"])
def step_detail(request: HttpRequest, step_id: int) -> HttpResponse:
    """The step: its form for whoever may record on it, its answers for everyone else."""
    user = _actor(request)
    step = access_step(user, step_id)
    if request.method == "POST":
        if not can_record_step(user, step):
            return _refused(
                request, step, _record_refusal(user, step), title="You cannot change this step"
            )
        return _step_post(request, step)
    context = _step_context(request, step)
    if not can_record_step(user, step):
        context.update(_read_only(request, step))
        return _render_step_page(request, "workflows/step_detail.html", step, context, what="step")
    schema = step.form_version.schema
    offer = _draft_offer(user, step, step.answers)
    restoring = request.GET.get("restore") == "draft" and offer is not None
    if restoring and offer is not None:
        draft = offer["draft"]
        raw = draft.answers
        version = raw.get(forms_html.VERSION_KEY)
        version = version if isinstance(version, int) else draft.base_version
        context["restored_at"] = offer["saved_at"]
        context["unsaved"] = True
        offer = None
    else:
        raw = forms_html.raw_from_answers(schema, step.answers)
        version = step.version
    context.update(_form_context(request, step, raw, {}, version=version))
    context["draft_offer"] = offer
    return _render_step_page(request, "workflows/step_detail.html", step, context, what="step")


def _step_post(request: HttpRequest, step: Step) -> HttpResponse:
    user = _actor(request)
    schema = step.form_version.schema
    raw = forms_html.raw_from_post(schema, request.POST)
    version = _posted_version(request.POST)
    action = str(request.POST.get("action", "save"))[:200]
    context = _step_context(request, step)

    def again(errors: Mapping[str, list[str]], **extra: Any) -> HttpResponse:
        context.update(
            _form_context(request, step, raw, errors, version=extra.pop("version", version))
        )
        context.update(extra, unsaved=True)
        return _render_step_page(request, "workflows/step_detail.html", step, context, what="step")

    if action.startswith(("add:", "remove:")):
        return again({}, focus=forms_html.change_rows(schema, raw, action))
    if action == "restore":
        # What the browser kept on this device, shown again for the worker to save.
        return again({}, restored_locally=True)
    answers, errors = forms_html.answers_from_raw(schema, raw)
    people = _people_names(user, forms_html.raw_person_ids(schema, raw))
    for key, found in forms_html.unknown_people(schema, raw, answers, people).items():
        errors.setdefault(key, []).extend(found)
    if errors:
        return again(errors)
    try:
        services.step_save(actor=user, step=step, answers=answers, expected_version=version)
    except services.StepConflict as conflict:
        theirs = conflict.step.answers if isinstance(conflict.step.answers, dict) else {}
        names = _people_names(
            user, forms_html.person_ids(schema, theirs) | forms_html.person_ids(schema, answers)
        )
        return again(
            {},
            version=conflict.step.version,
            conflict=str(conflict),
            differences=forms_html.differences(schema, answers, theirs, names),
            saved_by=_last_saved(conflict.step),
        )
    except services.AnswersInvalid as invalid:
        return again(invalid.errors)
    except services.StepError as error:
        return again({"__all__": [str(error)]})
    if action == "complete":
        return redirect("step-complete", step_id=step.pk)
    messages.success(request, f"{step.step_type.name} saved.")
    return redirect("step-detail", step_id=step.pk)


def _last_saved(step: Step) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.CHANGE,
            object_type=Step._meta.label_lower,
            object_id=str(step.pk),
        )
        .order_by("-occurred_at", "-id")
        .first()
    )


# -- autosave -----------------------------------------------------------------------------------


def _autosave_reply(message: str, *, status: int = 200, refused: bool = False) -> HttpResponse:
    response = HttpResponse(
        f'<span class="app-autosave-status">{escape(message)}</span>',
        status=status,
        content_type="text/html; charset=utf-8",
    )
    if refused:
        # Tells the page's script this is a refusal, not a lapsed session or stale token.
        response["X-Autosave-Refused"] = "1"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def step_autosave(request: HttpRequest, step_id: int) -> HttpResponse:
    """POST: keep what the worker has typed, as typed. GET: is the session alive? (a fresh token)."""
    user = _actor(request)
    step = access_step(user, step_id)
    if request.method == "GET":
        response = HttpResponse(status=204)
        response["X-CSRFToken"] = get_token(request)
        return response
    if not can_record_step(user, step):
        return _autosave_reply(
            "Not saved: " + _record_refusal(user, step), status=403, refused=True
        )
    raw = forms_html.raw_from_post(step.form_version.schema, request.POST)
    try:
        draft = services.step_autosave(actor=user, step=step, raw=raw)
    except services.StepError as error:
        return _autosave_reply(f"Not saved: {error}", status=413, refused=True)
    return _autosave_reply(f"Saved at {timezone.localtime(draft.saved_at):%H:%M}")


# -- finding a person for a person question ----------------------------------------------------


@login_required
@require_GET
def step_find_person(request: HttpRequest, step_id: int) -> HttpResponse:
    """People matching a name (or a person ID), each with a button that fills the question."""
    user = _actor(request)
    step = access_step(user, step_id)
    if not can_record_step(user, step):
        return _refused(
            request, step, _record_refusal(user, step), title="You cannot change this step"
        )
    text = str(request.GET.get("find", "")).strip()[:100]
    target = str(request.GET.get("target", ""))
    if not _is_field_id(target):
        target = ""
    context: dict[str, Any] = {"target": target, "text": text, "matches": [], "message": ""}
    if len(text) < 2:
        context["message"] = "Type at least 2 letters of a name, or a person ID."
        return render(request, "workflows/step_find_person.html", context)
    is_id = text.isascii() and text.isdigit()
    criteria = SearchCriteria(identifier=text) if is_id else SearchCriteria(name=text)
    try:
        results = search_people(user=user, criteria=criteria)
    except ValidationError as error:
        context["message"] = " ".join(error.messages)
        return render(request, "workflows/step_find_person.html", context)
    person_events.people_searched(
        actor=user, criteria=f"{criteria.describe()} for a form", result_count=results.total
    )
    context["matches"] = [
        {"id": match.person.pk, "label": _person_label(match.person)}
        for match in list(results)[:FIND_PERSON_LIMIT]
    ]
    context["total"] = results.total
    if not context["matches"]:
        context["message"] = f"No one found for “{text}”."
    return render(request, "workflows/step_find_person.html", context)


def _is_field_id(text: str) -> bool:
    return (
        0 < len(text) <= 200
        and text.startswith("f-")
        and all(c.isascii() and (c.isalnum() or c in "-_.") for c in text)
    )


# -- completing, with next actions ---------------------------------------------------------------


@dataclasses.dataclass
class ActionOption:
    transition: Transition
    allowed: bool
    reason: str
    # Who each next action could go to: read only when a page shows the choices or a
    # worker named someone, so a plain completion costs no colleague lookups.
    who_for: Callable[[int], list[tuple[str, str]]]
    usual: str
    checked: bool = False
    chosen_who: str = ""

    @property
    def who(self) -> list[tuple[str, str]]:
        return self.who_for(self.transition.pk)

    @property
    def field_id(self) -> str:
        return f"next-{self.transition.pk}"


def _usual(step_type: StepType | None) -> str:
    if step_type is None:
        return ""
    if step_type.default_team is not None and step_type.default_assignee != (
        StepType.Assignee.STARTER
    ):
        return f"{step_type.default_team}'s tray"
    return {
        StepType.Assignee.STARTER: "You",
        StepType.Assignee.TEAM_TRAY: "Your team's tray",
        StepType.Assignee.ALLOCATED_WORKER: "The person's allocated worker",
    }.get(StepType.Assignee(step_type.default_assignee), "")


def _who_choices(user: User, transitions: list[Transition]) -> dict[int, list[tuple[str, str]]]:
    """For each next action: the team trays and colleagues its work could go to."""
    today = timezone.localdate()
    team_ids = current_team_ids(user)
    teams = {team.pk: team for team in Team.objects.filter(pk__in=team_ids, is_active=True)}
    defaults = {
        t.to_step_type.default_team_id
        for t in transitions
        if t.to_step_type is not None and t.to_step_type.default_team_id
    }
    teams.update(
        {
            team.pk: team
            for team in Team.objects.filter(pk__in=defaults - set(teams), is_active=True)
        }
    )
    colleagues = (
        User.objects.filter(
            is_active=True,
            memberships__team_id__in=team_ids,
            memberships__start_date__lte=today,
        )
        .filter(Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    people_choices = [(f"user:{colleague.pk}", str(colleague)) for colleague in colleagues]
    ordered_teams = sorted(teams.values(), key=lambda team: team.name)
    choices: dict[int, list[tuple[str, str]]] = {}
    for transition in transitions:
        if transition.to_step_type is None:
            continue
        choices[transition.pk] = [
            *((f"team:{team.pk}", f"{team.name} tray") for team in ordered_teams),
            *people_choices,
        ]
    return choices


def _action_options(user: User, step: Step) -> list[ActionOption]:
    transitions = services.offered_actions(step)
    found: dict[int, list[tuple[str, str]]] | None = None

    def who_for(transition_id: int) -> list[tuple[str, str]]:
        nonlocal found
        if found is None:
            found = _who_choices(user, transitions)
        return found.get(transition_id, [])

    options = []
    for transition in transitions:
        allowed, reason = True, ""
        if transition.to_step_type is not None:
            allowed, reason = can_start_step_type(user, transition.to_step_type)
        options.append(
            ActionOption(
                transition=transition,
                allowed=allowed,
                reason=reason,
                who_for=who_for,
                usual=_usual(transition.to_step_type),
            )
        )
    return options


def _parse_actions(
    data: Any, options: list[ActionOption]
) -> tuple[list[services.NextAction], list[str]]:
    """The next actions ticked, with whoever each goes to; messages for what cannot be read."""
    by_id = {option.transition.pk: option for option in options}
    chosen: list[services.NextAction] = []
    problems: list[str] = []
    for value in data.getlist("next")[:50]:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            problems.append("That next action is not offered after this step.")
            continue
        transition_id = int(text)
        option = by_id.get(transition_id)
        who = str(data.get(f"who-{transition_id}", "")).strip()
        assignee_id = team_id = None
        if option is not None:
            option.checked = True
            option.chosen_who = who
            if who and who not in {value for value, _ in option.who}:
                problems.append(f"Choose who '{option.transition.label}' goes to from the list.")
                continue
            kind, _, number = who.partition(":")
            if kind == "user":
                assignee_id = int(number)
            elif kind == "team":
                team_id = int(number)
        # Not offered: the service refuses it, in its words.
        chosen.append(services.NextAction(transition_id, assignee_id=assignee_id, team_id=team_id))
    return chosen, problems


def _completion_problems(step: Step) -> list[tuple[str, str]]:
    """Questions that must be answered before the step can complete: (link, message)."""
    schema = step.form_version.schema
    _, errors = validate_answers(schema, step.answers, complete=True)
    url = reverse("step-detail", kwargs={"step_id": step.pk})
    fields = field_map(schema)
    problems: list[tuple[str, str]] = []
    for key, found in errors.items():
        field_schema = fields.get(key)
        anchor = f"f-{key}.day" if field_schema and field_schema["kind"] == "date" else f"f-{key}"
        if field_schema is None:
            where = forms_html._entry_error_key(
                key, {k: f for k, f in fields.items() if f["kind"] == "repeating_group"}
            )
            anchor = f"f-{where[0]}.{where[1]}.{where[2]}" if where else "step-form"
        problems.extend((f"{url}#{anchor}", message) for message in found)
    return problems


@login_required
@require_http_methods(["GET", "POST"])
def step_complete(request: HttpRequest, step_id: int) -> HttpResponse:
    """Choose the next actions and finish the step (or send it for authorisation)."""
    user = _actor(request)
    step = access_step(user, step_id)
    if not can_record_step(user, step):
        return _refused(
            request, step, _record_refusal(user, step), title="You cannot complete this step"
        )
    options = _action_options(user, step)
    errors: list[str] = []
    version = step.version
    if request.method == "POST":
        version = _posted_version(request.POST)
        actions, errors = _parse_actions(request.POST, options)
        if not errors:
            try:
                step = services.step_complete(
                    actor=user,
                    step=step,
                    answers=step.answers,
                    expected_version=version,
                    next_actions=actions,
                )
            except services.StepConflict:
                step = access_step(user, step_id)
                version = step.version
                options = _action_options(user, step)
                errors = [
                    "Someone else saved this step while you were choosing. Check its answers, "
                    "then choose the next actions again."
                ]
            except services.AnswersInvalid:
                errors = ["Some questions need answering before this step can be completed."]
            except services.StepError as error:
                errors = [str(error)]
            else:
                if step.status == Step.Status.AWAITING_AUTHORISATION:
                    messages.success(
                        request, f"{step.step_type.name} sent to a manager for authorisation."
                    )
                else:
                    messages.success(request, f"{step.step_type.name} completed.")
                return redirect("step-detail", step_id=step.pk)
    return _render_step_page(
        request,
        "workflows/step_complete.html",
        step,
        {
            "allowed_options": [option for option in options if option.allowed],
            "refused_options": [option for option in options if not option.allowed],
            "errors": errors,
            "version": version,
            "problems": _completion_problems(step),
        },
        what="step completion",
    )


# -- authorising ------------------------------------------------------------------------------------


def _pending_actions(step: Step) -> list[dict[str, str]]:
    """The next actions the worker chose, in words."""
    pending = [p for p in step.pending_actions if isinstance(p, dict)]
    transitions = Transition.objects.select_related("to_step_type").in_bulk(
        [p.get("transition") for p in pending if isinstance(p.get("transition"), int)]
    )
    users = User.objects.in_bulk(
        [p["assignee"] for p in pending if isinstance(p.get("assignee"), int)]
    )
    teams = Team.objects.in_bulk([p["team"] for p in pending if isinstance(p.get("team"), int)])
    described = []
    for item in pending:
        transition = transitions.get(item.get("transition"))
        if transition is None:
            continue
        if item.get("assignee") in users:
            who = str(users[item["assignee"]])
        elif item.get("team") in teams:
            who = f"{teams[item['team']]} tray"
        else:
            who = _usual(transition.to_step_type) if transition.to_step_type else ""
        described.append({"label": transition.label, "who": who})
    return described


@login_required
@require_http_methods(["GET", "POST"])
def step_authorise(request: HttpRequest, step_id: int) -> HttpResponse:
    """A manager approves submitted work, or returns it with comments."""
    user = _actor(request)
    step = access_step(user, step_id)
    allowed, reason = can_authorise_step(user, step)
    if not allowed:
        return _refused(request, step, reason, title="You cannot authorise this step")
    errors: Errors = {}
    decision = ""
    comments = ""
    if request.method == "POST":
        decision = str(request.POST.get("decision", ""))
        comments = str(request.POST.get("comments", "")).replace("\x00", "")
        if decision not in ("approve", "return"):
            errors["decision"] = ["Choose whether to approve the work or return it"]
        elif len(comments.strip()) > COMMENTS_LIMIT:
            errors["comments"] = [f"Comments must be {COMMENTS_LIMIT:,} characters or fewer"]
        elif decision == "return" and not comments.strip():
            errors["comments"] = ["Say what needs to change before returning the work"]
        if not errors:
            try:
                if decision == "approve":
                    services.step_authorise(actor=user, step=step, comments=comments)
                else:
                    services.step_return(actor=user, step=step, comments=comments)
            except services.StepError as error:
                errors["decision"] = [str(error)]
            else:
                messages.success(
                    request,
                    f"{step.step_type.name} approved."
                    if decision == "approve"
                    else f"{step.step_type.name} returned to {step.submitted_by or 'the worker'}.",
                )
                return redirect("step-detail", step_id=step.pk)
    context = _read_only(request, step)
    context.update(
        {
            "pending": _pending_actions(step),
            "errors": errors,
            "decision": decision,
            "comments": comments,
            "comments_limit": COMMENTS_LIMIT,
        }
    )
    return _render_step_page(
        request, "workflows/step_authorise.html", step, context, what="step for authorisation"
    )


# -- cancelling ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def step_cancel(request: HttpRequest, step_id: int) -> HttpResponse:
    """A manager cancels work that is no longer needed, saying why."""
    user = _actor(request)
    step = access_step(user, step_id)
    if not can_cancel_step(user, step):
        reason = (
            f"This step is {step.get_status_display().lower()}."
            if not step.is_open
            else f"Only a manager of {step.team} can cancel work in its tray."
        )
        return _refused(request, step, reason, title="You cannot cancel this step")
    error = ""
    reason_text = ""
    if request.method == "POST":
        reason_text = str(request.POST.get("reason", "")).replace("\x00", "")
        if not reason_text.strip():
            error = "Give a reason for cancelling"
        elif len(reason_text.strip()) > CANCEL_REASON_LIMIT:
            error = f"The reason must be {CANCEL_REASON_LIMIT} characters or fewer"
        else:
            try:
                services.step_cancel(actor=user, step=step, reason=reason_text)
            except services.StepError as problem:
                error = str(problem)
            else:
                messages.success(request, f"{step.step_type.name} cancelled.")
                return redirect("step-detail", step_id=step.pk)
    return _render_step_page(
        request,
        "workflows/step_cancel.html",
        step,
        {"error": error, "reason": reason_text, "reason_limit": CANCEL_REASON_LIMIT},
        what="step",
    )
