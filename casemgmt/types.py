from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from casemgmt.models import User

AnyUser: TypeAlias = User | AnonymousUser
