"""The header's count of unread notifications (cached: no query on most pages)."""

from __future__ import annotations

from typing import Any

from django import template

from casemgmt.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return 0
    return unread_count(user=user)
