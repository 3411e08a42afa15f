"""Pages of a subject access request: the list, logging one, its page, and each step of it.

The review of the gathered file and the release are in views_review.py. Every page is for
officers who run requests (a 403 for the list, the 404 of a missing request otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casemgmt.models import User
from clients import events as client_events
from clients.forms.search import SearchForm, is_search_submitted
from clients.permissions import access_person
from clients.search import search_people
from subject_access import (
    deadlines,
    events,
    forms,
    gathering,
    permissions,
    review,
    selectors,
    services,
)
from subject_access.models import Pause, SubjectAccessRequest

REQUESTS_PER_PAGE = 50
Status = SubjectAccessRequest.Status


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _page_number(value: object) -> int:
    text = str(value or "1")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 5 else 1


# -- the list ---------------------------------------------------------------------------------


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    if not permissions.can_view_requests(officer):
        raise PermissionDenied
    form = forms.ListFilterForm(request.GET or None)
    filters = form.valid_filters() if form.is_bound else {}
    show = filters.get("show") or selectors.OPEN
    requests = selectors.request_list_visible_to(
        user=officer, show=show, status=filters.get("status", ""), mine=bool(filters.get("mine"))
    )
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "subject_access/request_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "rows": [(sar, sar.days_left(today)) for sar in page],
            "counts": selectors.request_counts(user=officer, today=today),
            "show": show,
            "is_filtered": bool(
                filters.get("status") or filters.get("mine") or show != selectors.OPEN
            ),
            "query": query.urlencode(),
            "can_manage": permissions.can_manage_requests(officer),
            "nav": "subject-access",
        },
    )


# -- logging and correcting a request ------------------------------------------------------------


def _request_values(form: forms.RequestForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in form.fields}


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    if not permissions.can_manage_requests(officer):
        raise PermissionDenied
    form = forms.RequestForm(_posted(request), initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            sar = services.request_create(actor=officer, **_request_values(form))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Request {sar.reference} logged. Its deadline is "
                f"{services.format_day(sar.due_on)}."
                if sar.due_on
                else "Request logged.",
            )
            return redirect("subject_access:request-detail", sar_id=sar.pk)
    return render(
        request,
        "subject_access/request_form.html",
        {"form": form, "nav": "subject-access", "sar": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    initial = {name: getattr(sar, name) for name in services.REQUEST_FIELDS}
    form = forms.RequestForm(_posted(request), initial=initial, with_owner=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(actor=officer, sar=sar, **_request_values(form))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The details of {sar.reference} have been saved.")
            return redirect("subject_access:request-detail", sar_id=sar.pk)
    events.request_viewed(actor=officer, sar=sar)
    return render(
        request,
        "subject_access/request_form.html",
        {"form": form, "nav": "subject-access", "sar": sar},
        status=400 if form.errors else 200,
    )


# -- the request's page ---------------------------------------------------------------------------


def _detail_context(request: HttpRequest, sar: SubjectAccessRequest) -> dict[str, Any]:
    officer = _officer(request)
    today = timezone.localdate()
    subjects = selectors.subject_rows(user=officer, sar=sar)
    pending = review.undecided_count(sar) if sar.status == Status.IN_REVIEW else 0
    return {
        "sar": sar,
        "today": today,
        "days_left": sar.days_left(today),
        "deadline_explained": deadlines.explain(
            sar.clock_started_on, extension_months=sar.extension_months
        )
        if sar.due_on
        else "",
        "pauses": list(Pause.objects.filter(request=sar).select_related("created_by")),
        "subjects": subjects,
        "undecided": pending,
        "reviewers": review.reviewers(sar) if sar.status == Status.IN_REVIEW else set(),
        "bundles_ready": review.bundles_ready([row.subject for row in subjects]),
        "can_manage": permissions.can_manage_requests(officer),
        "can_sign_off": permissions.can_sign_off(officer),
        "nav": "subject-access",
    }


@login_required
@require_GET
def request_detail(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id)
    events.request_viewed(actor=officer, sar=sar)
    return render(request, "subject_access/request_detail.html", _detail_context(request, sar))


def _action(
    request: HttpRequest,
    sar_id: int,
    work: Callable[[User, SubjectAccessRequest], str],
) -> HttpResponse:
    """A button on the request's page: do it and go back, or show the page with why not."""
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    try:
        done = work(officer, sar)
    except ValidationError as error:
        events.request_viewed(actor=officer, sar=sar)
        context = _detail_context(request, sar)
        context["page_errors"] = error.messages
        return render(request, "subject_access/request_detail.html", context, status=400)
    messages.success(request, done)
    return redirect("subject_access:request-detail", sar_id=sar.pk)


@login_required
@require_POST
def work_start(request: HttpRequest, sar_id: int) -> HttpResponse:
    def start(officer: User, sar: SubjectAccessRequest) -> str:
        services.work_start(actor=officer, sar=sar)
        return f"Work on {sar.reference} has started."

    return _action(request, sar_id, start)


@login_required
@require_POST
def review_send(request: HttpRequest, sar_id: int) -> HttpResponse:
    def send(officer: User, sar: SubjectAccessRequest) -> str:
        review.review_send(actor=officer, sar=sar)
        return "The file has gone for review."

    return _action(request, sar_id, send)


@login_required
@require_POST
def subject_gather(request: HttpRequest, sar_id: int, person_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    subject = permissions.access_subject(officer, sar, person_id)

    def gather(officer: User, sar: SubjectAccessRequest) -> str:
        gathering.gather_start(actor=officer, sar=sar, subject=subject)
        return "The case file is being gathered. This page shows when it is ready."

    return _action(request, sar_id, gather)


@login_required
@require_POST
def subject_remove(request: HttpRequest, sar_id: int, person_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    subject = permissions.access_subject(officer, sar, person_id)

    def remove(officer: User, sar: SubjectAccessRequest) -> str:
        services.subject_remove(actor=officer, sar=sar, subject=subject)
        return f"{subject.person.full_name} is no longer on the request."

    return _action(request, sar_id, remove)


# -- finding the person on the record -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def subject_find(request: HttpRequest, sar_id: int) -> HttpResponse:
    """Search (scoped like every search) and add a person found to the request."""
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    page_errors: list[str] = []
    if request.method == "POST":
        text = str(request.POST.get("person", ""))
        person = None
        if text.isascii() and text.isdigit() and len(text) <= 18:
            person = access_person(officer, int(text))
        if person is None:
            page_errors = ["Choose a person from the search results."]
        else:
            try:
                services.subject_add(actor=officer, sar=sar, person=person)
            except ValidationError as error:
                page_errors = error.messages
            else:
                messages.success(request, f"{person.full_name} is now on the request.")
                return redirect("subject_access:request-detail", sar_id=sar.pk)
    results = None
    form = SearchForm()
    if is_search_submitted(request.GET):
        form = SearchForm(request.GET)
        if form.is_valid():
            try:
                results = search_people(
                    user=officer,
                    criteria=form.criteria_for_page(_page_number(request.GET.get("page"))),
                )
            except ValidationError as error:
                form.add_service_errors(error, rename={"date_of_birth": "dob"})
            else:
                client_events.people_searched(
                    actor=officer,
                    criteria=form.criteria.describe(),
                    result_count=results.total,
                )
    if results is None:
        events.request_viewed(actor=officer, sar=sar)
    already = set(sar.subjects.values_list("person_id", flat=True))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "subject_access/subject_find.html",
        {
            "sar": sar,
            "form": form,
            "results": results,
            "already": already,
            "page_errors": page_errors,
            "query": query.urlencode(),
            "nav": "subject-access",
        },
        status=400 if page_errors or form.errors else 200,
    )


# -- a step with a form of its own ----------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    sar: SubjectAccessRequest,
    form: Any,
    *,
    title: str,
    button: str,
    intro: str = "",
    extra: dict[str, Any] | None = None,
    template: str = "subject_access/step_form.html",
) -> HttpResponse:
    events.request_viewed(actor=_officer(request), sar=sar)
    return render(
        request,
        template,
        {
            "sar": sar,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
            "nav": "subject-access",
            **(extra or {}),
        },
        status=400 if form.errors else 200,
    )


def _step(
    request: HttpRequest,
    sar: SubjectAccessRequest,
    form: Any,
    work: Callable[[dict[str, Any]], str],
) -> HttpResponse | None:
    """Run the service with the form's values; None when the form is to be shown again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        done = work(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    messages.success(request, done)
    return redirect("subject_access:request-detail", sar_id=sar.pk)


@login_required
@require_http_methods(["GET", "POST"])
def identity_record(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    form = forms.IdentityForm(
        _posted(request),
        initial={
            "verified_on": sar.identity_verified_on or timezone.localdate(),
            "method": sar.identity_method,
            "notes": sar.identity_notes,
        },
    )

    def work(data: dict[str, Any]) -> str:
        services.identity_record(
            actor=officer,
            sar=sar,
            verified_on=data["verified_on"],
            method=data["method"],
            notes=data["notes"],
        )
        return "The identity check has been recorded."

    return _step(request, sar, form, work) or _form_page(
        request,
        sar,
        form,
        title="Record the identity check",
        button="Save the identity check",
        intro="Ask for no more than you need to be sure who the requester is, and, if they act "
        "for someone else, that they may.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def pause_start(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    form = forms.PauseForm(_posted(request), initial={"asked_on": timezone.localdate()})

    def work(data: dict[str, Any]) -> str:
        services.pause_start(
            actor=officer,
            sar=sar,
            kind=data["kind"],
            asked_on=data["asked_on"],
            asked_how=data["asked_how"],
            details=data["details"],
        )
        return "The clock has stopped until the requester answers."

    return _step(request, sar, form, work) or _form_page(
        request,
        sar,
        form,
        title="Ask for identity or clarification",
        button="Stop the clock",
        intro="The clock stops until what you ask for arrives, then a new month starts from that "
        "day. Ask as soon as you can, and deal with any part of the request that is clear.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def pause_end(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    form = forms.PauseEndForm(_posted(request), initial={"received_on": timezone.localdate()})

    def work(data: dict[str, Any]) -> str:
        updated = services.pause_end(
            actor=officer, sar=sar, received_on=data["received_on"], notes=data["notes"]
        )
        return (
            f"The clock has restarted. The response is due by {services.format_day(updated.due_on)}."
            if updated.due_on
            else "The clock has restarted."
        )

    awaited = Pause.objects.filter(request=sar, received_on__isnull=True).first()
    return _step(request, sar, form, work) or _form_page(
        request,
        sar,
        form,
        title="Record what arrived",
        button="Restart the clock",
        intro=f"Awaited: {awaited.get_kind_display().lower()}, asked for on "
        f"{services.format_day(awaited.asked_on)}."
        if awaited
        else "Nothing is awaited from the requester.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def deadline_extend(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    letter = render_to_string(
        "subject_access/letters/extension.txt",
        {
            "sar": sar,
            "officer": officer,
            "today": timezone.localdate(),
            "months": 2,
            "new_due_on": deadlines.due_date(sar.clock_started_on, extension_months=2),
        },
    )
    form = forms.ExtendForm(
        _posted(request), initial={"told_on": timezone.localdate(), "letter": letter.strip()}
    )

    def work(data: dict[str, Any]) -> str:
        updated = services.deadline_extend(
            actor=officer,
            sar=sar,
            months=data["months"],
            reason=data["reason"],
            told_on=data["told_on"],
            told_how=data["told_how"],
            letter=data["letter"],
        )
        return (
            f"The deadline is now {services.format_day(updated.due_on)}."
            if updated.due_on
            else "Extended."
        )

    return _step(request, sar, form, work) or _form_page(
        request,
        sar,
        form,
        title="Extend the deadline",
        button="Extend the deadline",
        intro="A complex request, or many requests from the same person, may have up to two "
        "further months. It can be extended once, before the deadline passes, and the "
        "requester must be told why within the first month.",
        extra={
            "extension_dates": [
                (months, deadlines.due_date(sar.clock_started_on, extension_months=months))
                for months in (1, 2)
            ]
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_close(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    letter = render_to_string(
        "subject_access/letters/refusal.txt",
        {"sar": sar, "officer": officer, "today": timezone.localdate()},
    )
    form = forms.CloseForm(
        _posted(request),
        initial={
            "closed_on": timezone.localdate(),
            "told_on": timezone.localdate(),
            "letter": letter.strip(),
        },
    )

    def work(data: dict[str, Any]) -> str:
        closed = services.request_close(
            actor=officer,
            sar=sar,
            outcome=data["outcome"],
            closed_on=data["closed_on"],
            reason=data["reason"],
            ground=data["ground"],
            exemption=data["exemption"],
            told_on=data["told_on"],
            told_how=data["told_how"],
            letter=data["letter"],
        )
        return f"{closed.reference} is closed: {closed.get_status_display().lower()}."

    return _step(request, sar, form, work) or _form_page(
        request,
        sar,
        form,
        title="Refuse or close the request",
        button="Close the request",
        intro="A refusal needs its ground, and the requester must be told why, and of their right "
        "to complain to the Information Commissioner and to the courts.",
    )
