"""The cells every tray row repeats, written in Python: a tray shows 25 rows of them.

Each tag writes exactly what its template once did (the subject link, the status tag,
the due date with its overdue or due-soon tag), without an `{% include %}` per cell.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
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
