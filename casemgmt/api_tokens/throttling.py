"""Rate limits on the API: per token, and per signed-in user, counted in Redis.

Rates come from the environment (settings `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`):
`token` for calls made with an API token, `user` for calls made in a staff session.
Each is one or more limits separated by commas, like `300/minute,10000/hour`, so a
token can have room for a burst and still not read the whole database in a night.

Each limit is a fixed window counted with Redis INCR, which stays right when many web
servers count at once (DRF's own throttles read and write a list, and lose counts then).
Over a limit the answer is 429 with Retry-After: the seconds until that window ends.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from casemgmt.models import ApiToken

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"\s*(?P<count>\d+)\s*/\s*(?P<period>second|minute|hour|day)\s*")


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def parse_rate(rate: str, *, name: str) -> list[Limit]:
    """`"300/minute,10000/hour"` -> two limits; ImproperlyConfigured if it cannot be read."""
    limits = []
    for part in rate.split(","):
        match = _LIMIT.fullmatch(part)
        if match is None or int(match["count"]) < 1:
            raise ImproperlyConfigured(
                f"The API throttle rate {name!r} must be like 300/minute or "
                f"300/minute,10000/hour (per second, minute, hour or day), not {rate!r}."
            )
        limits.append(Limit(int(match["count"]), _PERIODS[match["period"]]))
    return limits


def configured_limits(kind: str) -> list[Limit]:
    rates = api_settings.DEFAULT_THROTTLE_RATES or {}
    rate = rates.get(kind)
    if rate is None:
        raise ImproperlyConfigured(f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no {kind!r}.")
    return parse_rate(str(rate), name=kind)


@checks.register()
def check_rates(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """A rate that cannot be read stops the server starting, rather than failing each call."""
    errors: list[checks.CheckMessage] = []
    for kind in ("token", "user"):
        try:
            configured_limits(kind)
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="casemgmt.E201"))
    return errors


def _count(key: str, timeout: int) -> int:
    try:
        return int(cache.incr(key))
    except ValueError:
        # A new window: the first call makes the counter. Two first calls at once both
        # get here; one adds it, the other counts on it.
        if cache.add(key, 1, timeout=timeout):
            return 1
        return int(cache.incr(key))


class ApiRateThrottle(BaseThrottle):
    """Counts each call against its token's limits, or its signed-in user's."""

    def __init__(self) -> None:
        self.retry_after: float | None = None

    @staticmethod
    def _identity(request: Request) -> tuple[str, str] | None:
        if isinstance(request.auth, ApiToken):
            # The key id, not the row's id: it is what an operator sees in the admin.
            return "token", request.auth.key_id
        user = request.user
        if user is not None and user.is_authenticated:
            return "user", str(user.pk)
        return None

    def allow_request(self, request: Request, view: Any) -> bool:
        identity = self._identity(request)
        if identity is None:
            # Signed out: refused before throttling (IsAuthenticated), nothing to count.
            return True
        kind, ident = identity
        # One Redis can serve several databases (test runs side by side, the benchmarks).
        database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        now = time.time()
        waits = []
        for limit in configured_limits(kind):
            window = int(now // limit.seconds)
            key = f"api-throttle:{database}:{kind}:{ident}:{limit.seconds}:{window}"
            if _count(key, timeout=limit.seconds + 5) > limit.count:
                waits.append((window + 1) * limit.seconds - now)
        if waits:
            self.retry_after = max(waits)
            return False
        return True

    def wait(self) -> float | None:
        # DRF sends Retry-After in whole seconds: round up, so a client never comes back early.
        return None if self.retry_after is None else max(1, math.ceil(self.retry_after))
