"""Who may see, record, authorise and allocate steps. Views and the API ask only here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from casemgmt import roles
from casemgmt.models import TeamMembership
from casemgmt.types import AnyUser
from clients.selectors import person_list_visible_to
from workflows.models import Step, StepType

VIEW_STEP = roles.VIEW_STEP
START_STEP = roles.START_STEP
RECORD_STEP = roles.RECORD_STEP
AUTHORISE_STEP = roles.AUTHORISE_STEP
ALLOCATE_STEP = roles.ALLOCATE_STEP


def _can(user: AnyUser, capability: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(capability))


def role_names(user: AnyUser) -> dict[int, str]:
    """The user's roles (group id: name), read once per user object (one request)."""
    if not user.is_authenticated:
        return {}
    cached: dict[int, str] | None = getattr(user, "_workflow_roles", None)
    if cached is None:
        cached = dict(user.groups.values_list("pk", "name"))
        setattr(user, "_workflow_roles", cached)  # noqa: B010 (a memo on the request's user)
    return cached


def is_senior_manager(user: AnyUser) -> bool:
    return roles.Role.SENIOR_MANAGER.value in role_names(user).values()


def current_team_ids(user: AnyUser, *, managed: bool = False) -> set[int]:
    """Teams the user belongs to today (or manages, with `managed`), memoised per user object."""
    if not user.is_authenticated:
        return set()
    attribute = "_workflow_managed_team_ids" if managed else "_workflow_team_ids"
    cached: set[int] | None = getattr(user, attribute, None)
    if cached is None:
        today = timezone.localdate()
        memberships = TeamMembership.objects.filter(user_id=user.pk, start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        if managed:
            memberships = memberships.filter(is_manager=True)
        cached = set(memberships.values_list("team_id", flat=True))
        setattr(user, attribute, cached)
    return cached


def step_list_visible_to(*, user: AnyUser) -> QuerySet[Step]:
    """Steps on people (or groups with a member) the user may see."""
    if not _can(user, VIEW_STEP):
        return Step.objects.none()
    people = person_list_visible_to(user=user)
    return Step.objects.filter(
        Q(person__in=people) | Q(group__memberships__person__in=people)
    ).distinct()


def access_step(user: AnyUser, step_id: int) -> Step:
    """The step if the user may see it; otherwise Http404, the same as for no such step."""
    if not _can(user, VIEW_STEP):
        raise Http404("No such step.")
    step = (
        Step.objects.select_related(
            "step_type",
            "step_type__workflow",
            "form_version",
            "person",
            "group",
            "team",
            "assignee",
            "episode",
        )
        .filter(pk=step_id)
        .first()
    )
    if step is None:
        raise Http404("No such step.")
    people = person_list_visible_to(user=user)
    if step.person_id is not None:
        visible = people.filter(pk=step.person_id).exists()
    elif step.group_id is not None:
        visible = people.filter(group_memberships__group_id=step.group_id).exists()
    else:
        visible = False
    if not visible:
        raise Http404("No such step.")
    return step


def can_start_step_type(user: AnyUser, step_type: StepType) -> tuple[bool, str]:
    """Whether the user may start this kind of step, and if not, why (in a user's words)."""
    if not _can(user, START_STEP):
        return False, "Your role does not allow you to start work."
    allowed = {role.pk for role in step_type.start_roles.all()}
    if allowed and not allowed & role_names(user).keys():
        names = " or ".join(
            sorted(roles.role_label(role.name) for role in step_type.start_roles.all())
        )
        return False, f"Only a {names} may start {step_type.name.lower()}."
    return True, ""


def can_record_step(user: AnyUser, step: Step) -> bool:
    """Record answers: the assignee, anyone in the tray's team while unallocated, its manager."""
    if not _can(user, RECORD_STEP) or step.status not in (
        Step.Status.PLANNED,
        Step.Status.IN_PROGRESS,
    ):
        return False
    if step.assignee_id == user.pk:
        return True
    if step.team_id in current_team_ids(user, managed=True):
        return True
    return step.assignee_id is None and step.team_id in current_team_ids(user)


def can_authorise_step(user: AnyUser, step: Step) -> tuple[bool, str]:
    if step.status != Step.Status.AWAITING_AUTHORISATION:
        return False, "This step is not waiting for authorisation."
    if step.submitted_by_id == user.pk:
        return False, "You cannot authorise work you submitted yourself."
    if not _can(user, AUTHORISE_STEP):
        return False, "Your role does not allow you to authorise work."
    role = step.step_type.authoriser_role
    if role is not None and role.pk not in role_names(user):
        return False, (
            f"Only a {roles.role_label(role.name)} may authorise {step.step_type.name.lower()}."
        )
    if not is_senior_manager(user) and step.team_id not in current_team_ids(user, managed=True):
        return False, "Only a manager of the team whose work this is may authorise it."
    return True, ""


def can_allocate_step(user: AnyUser, step: Step) -> bool:
    if not _can(user, ALLOCATE_STEP) or not step.is_open:
        return False
    if step.status == Step.Status.AWAITING_AUTHORISATION:
        return False
    return step.team_id in current_team_ids(user) or is_senior_manager(user)


def can_cancel_step(user: AnyUser, step: Step) -> bool:
    return step.is_open and (
        _can(user, ALLOCATE_STEP) and step.team_id in current_team_ids(user, managed=True)
    )
