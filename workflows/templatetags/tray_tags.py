"""The cells every tray row repeats, written in Python: a tray shows 25 rows of them.

Each tag writes exactly what its template once did (the subject link, the status tag,
the due date with its overdue or due-soon tag), without an `{% include %}` per cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from clients.templatetags.record_tags import record_url, short_date
from workflows.selectors import TrayRow

register = template.Library()

_STATUS_COLOURS = {
    "planned": "blue",
    "in_progress": "yellow",
    "awaiting_authorisation": "orange",
    "completed": "green",
}


_NO_DUE_DATE = mark_safe(
    '<span class="govuk-visually-hidden">No due date</span>'
    '<span aria-hidden="true">\N{EN DASH}</span>'
)

_OVERDUE = mark_safe(' <strong class="govuk-tag govuk-tag--red app-tag-below">Overdue</strong>')
_DUE_SOON = mark_safe(
    ' <strong class="govuk-tag govuk-tag--yellow app-tag-below">Due soon</strong>'
)


@register.simple_tag
def tray_subject(row: TrayRow) -> SafeString:
    """Who the work is about: the person (a link to their record), or the group."""
    if row.person_id:
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            record_url("clients:person-detail", row.person_id),
            row.person_name,
        )
    return format_html('{} <span class="govuk-body-s">(group)</span>', row.group_name)


@register.simple_tag
def tray_status(row: TrayRow) -> SafeString:
    """The step's status as a GOV.UK tag."""
    colour = _STATUS_COLOURS.get(row.status, "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, row.status_label
    )


@register.simple_tag
def tray_due(row: TrayRow) -> SafeString:
    """The due date, tagged when overdue or due soon."""
    if not row.due_date:
        return _NO_DUE_DATE
    tag = _OVERDUE if row.is_overdue else _DUE_SOON if row.is_due_soon else ""
    return format_html(
        '<time datetime="{}" class="app-nowrap">{}</time>{}',
        row.due_date.isoformat(),
        short_date(row.due_date),
        tag,
    )


# ----------------------------------------------------------------------------------------
# Whole rows. A tray page is 25 rows of six to eight cells; written by the template
# language they cost more than everything else on the page together (a variable lookup,
# escape and time zone check per value), so each tray's rows are written here in one go.
# ----------------------------------------------------------------------------------------


def _received(row: TrayRow) -> str:
    received = timezone.localtime(row.received_at)
    return (
        f'<time datetime="{received.isoformat()}" class="app-nowrap">{short_date(received)}</time>'
    )


def _step_link(url: str, row: TrayRow) -> str:
    return (
        f'<a class="govuk-link" href="{escape(url)}">{escape(row.step_type_name)}'
        f'<span class="govuk-visually-hidden"> for {escape(row.subject_name)}</span></a>'
    )


def _cells(*cells: str) -> str:
    inner = "".join(f'<td class="govuk-table__cell">{cell}</td>' for cell in cells)
    return f'<tr class="govuk-table__row">{inner}</tr>'


@register.simple_tag
def my_work_rows(items: Sequence[Any]) -> SafeString:
    """The rows of my work: who, what, status, team, received, due."""
    return mark_safe(  # noqa: S308 (every value is escaped above)
        "\n".join(
            _cells(
                tray_subject(item.row),
                _step_link(item.url, item.row),
                tray_status(item.row),
                escape(item.row.team_name),
                _received(item.row),
                tray_due(item.row),
            )
            for item in items
        )
    )


@register.simple_tag(takes_context=True)
def team_tray_rows(context: template.Context, items: Sequence[Any]) -> SafeString:
    """The rows of a team's tray, each with its allocation form when the reader may allocate."""
    allocate = bool(context.get("can_allocate"))
    form_start = ""
    if allocate:
        form_start = (
            '<input type="hidden" name="csrfmiddlewaretoken"'
            f' value="{escape(context.get("csrf_token", ""))}">'
            f'<input type="hidden" name="next" value="{escape(context.get("here", ""))}">'
        )
        options = conditional_escape(context.get("member_options") or "")
    rows = []
    for item in items:
        row = item.row
        cells = [
            tray_subject(row),
            _step_link(item.url, row),
            tray_status(row),
            _received(row),
            tray_due(row),
        ]
        if allocate:
            what = f"{escape(row.step_type_name)} for {escape(row.subject_name)}"
            cells.append(
                '<form method="post"'
                f' action="{escape(record_url("step-allocate", row.id))}"'
                ' class="app-inline-form" novalidate>'
                f'{form_start}<input type="hidden" name="version" value="{row.version}">'
                '<div class="govuk-form-group govuk-!-margin-bottom-2">'
                '<label class="govuk-label govuk-visually-hidden"'
                f' for="assignee-{row.id}">Worker to allocate {what} to</label>'
                f'<select class="govuk-select" id="assignee-{row.id}" name="assignee">'
                f'<option value="">Choose a worker</option>{options}</select></div>'
                '<button type="submit" class="govuk-button govuk-button--secondary'
                ' govuk-!-margin-bottom-0" data-module="govuk-button">Allocate'
                f'<span class="govuk-visually-hidden"> {what}</span></button></form>'
            )
        rows.append(_cells(*cells))
    return mark_safe("\n".join(rows))  # noqa: S308 (every value is escaped above)


_YOU = ' <strong class="govuk-tag govuk-tag--grey app-tag-below">You</strong>'
_OWN_WORK = '<span class="govuk-body-s">Another manager must authorise your own work</span>'


@register.simple_tag(takes_context=True)
def authorisation_rows(context: template.Context, items: Sequence[Any]) -> SafeString:
    """The rows of the authorisation queue; a manager's own work is for another manager."""
    user = context.get("user")
    reader_id = getattr(user, "pk", None)
    rows = []
    for item in items:
        row = item.row
        own = row.submitted_by_id is not None and row.submitted_by_id == reader_id
        submitted = ""
        if row.submitted_at:
            at = timezone.localtime(row.submitted_at)
            submitted = (
                f'<time datetime="{at.isoformat()}" class="app-nowrap">{short_date(at)}</time>'
            )
        action = (
            _OWN_WORK
            if own
            else (
                f'<a class="govuk-link" href="{escape(item.authorise_url)}">Authorise or return'
                f'<span class="govuk-visually-hidden"> {escape(row.step_type_name)} for'
                f" {escape(row.subject_name)}</span></a>"
            )
        )
        rows.append(
            _cells(
                tray_subject(row),
                _step_link(item.url, row),
                tray_status(row),
                escape(row.team_name),
                escape(row.submitted_by_name or row.assignee_name) + (_YOU if own else ""),
                submitted,
                tray_due(row),
                action,
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value is escaped above)
