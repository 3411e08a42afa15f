"""Pages of records retention: the review list and its decisions, legal holds, destroyed records.

Each page about one person renders through clients' person layout, which writes its one
access event; the lists that name people write one access event each.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import User
from clients.selectors import person_list_visible_to
from clients.views.common import render_person_page
from retention import events, permissions, selectors, services
from retention.dates import retention_of
from retention.forms import (
    ConfirmDestructionForm,
    DecisionForm,
    FindPersonForm,
    HoldFilterForm,
    HoldForm,
    ReleaseForm,
    ReviewFilterForm,
    SendBackForm,
)
from retention.models import LegalHold, RetentionReview, RetentionRule, Tombstone
from retention.services import Decision

REVIEWS_PER_PAGE = 50
HOLDS_PER_PAGE = 50
TOMBSTONES_PER_PAGE = 50


def _acting_user(request: HttpRequest) -> User:
    # Every view here is behind login_required.
    return cast(User, request.user)


def _posted(request: HttpRequest, action: str) -> QueryDict | None:
    if request.method == "POST" and request.POST.get("action") == action:
        return request.POST
    return None


def _page_range(page: Any) -> Any:
    return page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)


# ------------------------------------------------------------------------------------------
# The review list
# ------------------------------------------------------------------------------------------


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    viewer = _acting_user(request)
    if not permissions.can_review_retention(viewer):
        raise PermissionDenied
    rules = list(RetentionRule.objects.order_by("precedence", "name"))
    form = ReviewFilterForm(request.GET or None, rules=rules)
    filters = form.valid_filters() if form.is_bound else {}
    status = filters.get("status") or selectors.OPEN
    rule_id = int(filters["rule"]) if filters.get("rule") else None
    reviews = selectors.review_list_visible_to(user=viewer, status=status, rule_id=rule_id)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    hidden: list[RetentionReview] = []
    hidden_count = 0
    if selectors.can_see_hidden_ids(viewer):
        hidden = list(
            selectors.review_list_hidden_from(user=viewer, status=status, rule_id=rule_id)[:100]
        )
        hidden_count = len(hidden)
    events.review_list_viewed(actor=viewer, page=page.number, count=page.paginator.count)
    counts = selectors.review_counts(user=viewer)
    return render(
        request,
        "retention/review_list.html",
        {
            "page": page,
            "page_range": _page_range(page),
            "form": form,
            "status": status,
            "is_filtered": bool(filters.get("status") or filters.get("rule")),
            "counts": [
                (value, label, counts.get(value, 0))
                for value, label in RetentionReview.Status.choices
            ],
            "rule_counts": selectors.open_review_counts_by_rule(user=viewer),
            "hidden": hidden,
            "hidden_count": hidden_count,
            "nav": "retention",
        },
    )


def _review_page(
    request: HttpRequest,
    review: RetentionReview,
    *,
    decision_form: DecisionForm,
    confirm_form: ConfirmDestructionForm,
    send_back_form: SendBackForm,
    status: int = 200,
    page_error: str = "",
) -> HttpResponse:
    viewer = _acting_user(request)
    person = review.person
    today = timezone.localdate()
    current = retention_of(person, today=today)
    return render_person_page(
        request,
        "retention/review_detail.html",
        person,
        {
            "review": review,
            "current": current,
            "is_due": current.is_due(today),
            "holds": [hold for hold in selectors.person_holds(person=person) if hold.is_active],
            "decision_form": decision_form,
            "confirm_form": confirm_form,
            "send_back_form": send_back_form,
            "form": next(
                (form for form in (decision_form, confirm_form, send_back_form) if form.is_bound),
                decision_form,
            ),
            "is_proposer": review.decided_by_id == viewer.pk,
            "decisions": Decision,
            "page_error": page_error,
            "can_manage_holds": permissions.can_manage_legal_holds(viewer),
        },
        what="its retention review",
        tab="retention",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    """A record on the review list: why it is there, and the decision (or its confirmation)."""
    viewer = _acting_user(request)
    review = permissions.access_review(viewer, review_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    decision_form = DecisionForm(_posted(request, "decide"), prefix="decide")
    confirm_form = ConfirmDestructionForm(_posted(request, "confirm"), prefix="confirm")
    send_back_form = SendBackForm(_posted(request, "send_back"), prefix="back")
    forms = {"decide": decision_form, "confirm": confirm_form, "send_back": send_back_form}
    if request.method == "POST":
        form = forms.get(action)
        if form is None:
            # A form from elsewhere, or a tampered one.
            return _review_page(
                request,
                review,
                decision_form=decision_form,
                confirm_form=confirm_form,
                send_back_form=send_back_form,
                status=400,
                page_error="Choose what to do, then try again.",
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "decide":
                    decided = services.review_decide(
                        actor=viewer,
                        review=review,
                        decision=data["decision"],
                        reason=data["reason"],
                        retain_until=data.get("retain_until"),
                        reference=data.get("reference"),
                    )
                    messages.success(request, _decided_message(decided, data["decision"]))
                    return redirect("retention:review-list")
                if action == "confirm":
                    confirmed = services.review_confirm_destruction(
                        actor=viewer, review=review, confirmed=data["confirmed"]
                    )
                    return redirect("retention:destruction", job_id=confirmed.job_id)
                services.review_send_back(actor=viewer, review=review, reason=data["reason"])
                messages.success(request, f"Sent back for review: {review.person.full_name}")
                return redirect("retention:review-detail", review_id=review.pk)
            except ValidationError as error:
                form.add_service_errors(error)
        review = permissions.access_review(viewer, review_id)
        return _review_page(
            request,
            review,
            decision_form=decision_form,
            confirm_form=confirm_form,
            send_back_form=send_back_form,
            status=400,
        )
    return _review_page(
        request,
        review,
        decision_form=decision_form,
        confirm_form=confirm_form,
        send_back_form=send_back_form,
    )


def _decided_message(review: RetentionReview, decision: str) -> str:
    name = review.person.full_name
    if decision == Decision.DESTROY:
        return f"Destruction of {name}'s record proposed: another officer must confirm it"
    if decision == Decision.RETAIN:
        return f"{name}'s record is kept until {services.format_day(review.retain_until)}"
    return f"Legal hold placed on {name}'s record"


@login_required
@require_GET
def destruction(request: HttpRequest, job_id: str) -> HttpResponse:
    """The destruction job's progress (polled by htmx), then the tombstone or the refusal."""
    job = permissions.access_destruction_job(_acting_user(request), str(job_id))
    tombstone = (
        Tombstone.objects.select_related("decided_by", "confirmed_by")
        .filter(pk=job.result.get("tombstone_id"))
        .first()
        if job.result.get("tombstone_id")
        else None
    )
    context = {"job": job, "tombstone": tombstone, "person_id": job.params.get("person_id")}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "retention/_destruction_progress.html", context)
    return render(request, "retention/destruction.html", {**context, "nav": "retention"})


# ------------------------------------------------------------------------------------------
# Legal holds
# ------------------------------------------------------------------------------------------


@login_required
@require_GET
def hold_list(request: HttpRequest) -> HttpResponse:
    """Holds in place (or released), and finding a record to place one on by its person ID."""
    viewer = _acting_user(request)
    if not permissions.can_manage_legal_holds(viewer):
        raise PermissionDenied
    find_form = FindPersonForm(request.GET if "person" in request.GET else None)
    if find_form.is_bound and find_form.is_valid():
        person_id = find_form.cleaned_data["person"]
        if person_list_visible_to(user=viewer).filter(pk=person_id).exists():
            return redirect("retention:person", person_id=person_id)
        # The same words whether the record does not exist or is not open to the user.
        find_form.add_error("person", "No record with this person ID is open to you.")
    form = HoldFilterForm(request.GET if "status" in request.GET else None)
    filters = form.valid_filters() if form.is_bound else {}
    status = filters.get("status") or "active"
    holds = selectors.hold_list_visible_to(user=viewer, status=status)
    page = Paginator(holds, HOLDS_PER_PAGE).get_page(request.GET.get("page"))
    events.hold_list_viewed(actor=viewer, count=page.paginator.count)
    return render(
        request,
        "retention/hold_list.html",
        {
            "page": page,
            "page_range": _page_range(page),
            "form": form,
            "find_form": find_form,
            "status": status,
            "hidden_count": selectors.hidden_hold_count(user=viewer),
            "nav": "retention-holds",
        },
        status=400 if find_form.errors else 200,
    )


@login_required
@require_GET
def person_retention(request: HttpRequest, person_id: int) -> HttpResponse:
    """A record's retention: its date and rule today, its holds, and its reviews."""
    viewer = _acting_user(request)
    person = permissions.access_person_for_holds(viewer, person_id)
    today = timezone.localdate()
    current = retention_of(person, today=today)
    return render_person_page(
        request,
        "retention/person.html",
        person,
        {
            "current": current,
            "is_due": current.is_due(today),
            "holds": selectors.person_holds(person=person),
            "reviews": selectors.person_reviews(person=person),
            "can_review": permissions.can_review_retention(viewer),
        },
        what="its retention and legal holds",
        tab="retention",
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_create(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = _acting_user(request)
    person = permissions.access_person_for_holds(viewer, person_id)
    form = HoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_place(
                actor=viewer,
                person=person,
                reason=form.cleaned_data["reason"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Legal hold placed on {person.full_name}'s record")
            return redirect("retention:person", person_id=person.pk)
    return render_person_page(
        request,
        "retention/hold_form.html",
        person,
        {"form": form},
        what="the form to place a legal hold",
        tab="retention",
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_release(request: HttpRequest, person_id: int, hold_id: int) -> HttpResponse:
    viewer = _acting_user(request)
    person = permissions.access_person_for_holds(viewer, person_id)
    hold: LegalHold = permissions.access_hold(viewer, person, hold_id)
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_release(actor=viewer, hold=hold, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Legal hold {hold.reference} released")
            return redirect("retention:person", person_id=person.pk)
    return render_person_page(
        request,
        "retention/hold_release.html",
        person,
        {"form": form, "hold": hold},
        what="a legal hold",
        tab="retention",
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------------------------------
# Destroyed records
# ------------------------------------------------------------------------------------------


@login_required
@require_GET
def tombstone_list(request: HttpRequest) -> HttpResponse:
    viewer = _acting_user(request)
    if not permissions.can_review_retention(viewer):
        raise PermissionDenied
    tombstones = selectors.tombstone_list_visible_to(user=viewer)
    page = Paginator(tombstones, TOMBSTONES_PER_PAGE).get_page(request.GET.get("page"))
    names = _table_names()
    return render(
        request,
        "retention/tombstone_list.html",
        {
            "page": page,
            "page_range": _page_range(page),
            "rows": [
                (
                    tombstone,
                    [
                        (names.get(label, label), number)
                        for label, number in sorted(tombstone.counts.items())
                    ],
                )
                for tombstone in page
            ],
            "nav": "retention",
        },
    )


def _table_names() -> dict[str, str]:
    """What each table's rows are called, for the counts of what was destroyed."""
    from django.apps import apps

    from retention.erasure import RECORD_ROWS

    names = {}
    for label in RECORD_ROWS:
        model = apps.get_model(label)
        names[label] = str(model._meta.verbose_name_plural)
    return names
