"""System checks: the second factor may be switched off only on a developer's machine."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

MFA_OFF_HINT = "Remove MFA_REQUIRED from the environment (it defaults to on)."


@register(Tags.security)
def mfa_required_outside_debug(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Without DEBUG (a server, not a laptop), sign-in without a second factor is refused."""
    if getattr(settings, "MFA_REQUIRED", True) or settings.DEBUG:
        return []
    return [
        Error(
            "MFA_REQUIRED is off outside DEBUG: staff could sign in with a password alone.",
            hint=MFA_OFF_HINT,
            id="casemgmt.E101",
        )
    ]


@register(Tags.security, deploy=True)
def mfa_required_in_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production settings (`check --deploy`) never allow MFA_REQUIRED to be off."""
    if getattr(settings, "MFA_REQUIRED", True):
        return []
    return [
        Error(
            "MFA_REQUIRED is off: every staff account must sign in with a second factor.",
            hint=MFA_OFF_HINT,
            id="casemgmt.E102",
        )
    ]
