"""Making and revoking API tokens, and finding the token a request sends.

A token looks like `cm_3f9c0a1b7d2e_<43 characters>`: the `cm_` prefix lets secret
scanners recognise one that has leaked, the key id (twelve hex digits) names the token
without being secret, and the rest is 256 random bits. Only the SHA-256 of that secret
is stored, so the database alone cannot be used to call the API.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import ApiScope, ApiToken, User

KEY_PREFIX = "cm_"
_TOKEN = re.compile(r"cm_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
# The longest Authorization value worth reading: a token is 59 characters.
MAX_TOKEN_LENGTH = 200
NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500
# Compared against when no token has the key id sent, so that an unknown key takes as
# long to refuse as a wrong secret.
_NO_SUCH_HASH = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token just made, with the only copy of its secret there will ever be."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


def latest_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)


def is_service_account(user: User) -> bool:
    """An account no one can sign in to with a password: the only kind a token may act as.

    A token needs no second factor, so a token for a person's own account would be a way
    around theirs.
    """
    return user.is_active and not user.has_usable_password()


def _printable(value: str, *, label: str, max_length: int, multiline: bool = False) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ValidationError(
            f"{label} must be {max_length} characters or fewer (you entered {len(value)}).",
            code="max_length",
        )
    allowed = "\n\r\t" if multiline else ""
    for character in value:
        if character not in allowed and unicodedata.category(character) in {"Cc", "Cf", "Cs"}:
            raise ValidationError(
                f"{label} contains a control or hidden character: type it again.",
                code="control",
            )
    return value


def clean_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes in a fixed order; writing an area needs reading it (a write answers with it)."""
    chosen = set(scopes)
    unknown = chosen - set(ApiScope.values)
    if unknown:
        raise ValidationError(f"Unknown scope: {', '.join(sorted(unknown))[:200]}.", code="unknown")
    if not chosen:
        raise ValidationError("Choose at least one scope.", code="required")
    for scope in chosen:
        area, _, access = scope.partition(":")
        if access == "write" and f"{area}:read" not in chosen:
            raise ValidationError(
                f"{scope} needs {area}:read as well: a change answers with the record.",
                code="write_without_read",
            )
    return [scope for scope in ApiScope.values if scope in chosen]


def _validate_expiry(expires_at: datetime.datetime) -> None:
    if expires_at <= timezone.now():
        raise ValidationError("The expiry must be in the future.", code="past")
    if expires_at > latest_expiry() + datetime.timedelta(days=1):
        raise ValidationError(
            f"A token may last at most {settings.API_TOKEN_MAX_DAYS} days.", code="too_long"
        )


def api_token_create(
    *,
    actor: User,
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime.datetime | None = None,
    description: str = "",
) -> IssuedToken:
    """Make a token for an integration acting as `user`; the secret is in the result only."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        name = _printable(name, label="Name", max_length=NAME_MAX_LENGTH)
        if not name:
            raise ValidationError("Enter the integration's name.", code="required")
    except ValidationError as error:
        errors["name"] = error.error_list
    try:
        description = _printable(
            description, label="Description", max_length=DESCRIPTION_MAX_LENGTH, multiline=True
        )
    except ValidationError as error:
        errors["description"] = error.error_list
    try:
        scopes = clean_scopes(scopes)
    except ValidationError as error:
        errors["scopes"] = error.error_list
    expires_at = expires_at or default_expiry()
    try:
        _validate_expiry(expires_at)
    except ValidationError as error:
        errors["expires_at"] = error.error_list
    if not is_service_account(user):
        errors["user"] = [
            ValidationError(
                "Choose an active service account: one whose password sign-in is disabled. "
                "A token needs no second factor, so it cannot act as a person's own account.",
                code="not_service_account",
            )
        ]
    if errors:
        raise ValidationError(errors)

    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            description=description,
            user=user,
            key_id=key_id,
            secret_hash=hash_secret(secret),
            scopes=list(scopes),
            created_by=actor,
            expires_at=expires_at,
        )
        audit.record_change(
            actor=actor,
            action="api_token_create",
            instance=token,
            person_id=None,
            # Never the secret or its hash: the audit trail is read by more people than
            # may call the API.
            changes=audit.created(token, ["name", "user", "key_id", "scopes", "expires_at"]),
            summary=f"Created API token {token} acting as {user.get_username()}",
        )
    return IssuedToken(token=token, secret=f"{KEY_PREFIX}{key_id}_{secret}")


def api_token_revoke(*, actor: User, token: ApiToken, reason: str) -> ApiToken:
    """Stop a token working, at once and for good, saying why."""
    try:
        reason = _printable(reason, label="Reason", max_length=REASON_MAX_LENGTH, multiline=True)
    except ValidationError as error:
        raise ValidationError({"reason": error.error_list}) from error
    if not reason:
        raise ValidationError(
            {"reason": "Say why the token is being revoked, e.g. it was found in a shared file."}
        )
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.is_revoked:
            raise ValidationError("This token has already been revoked.", code="revoked")
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.revoked_reason = reason
        token.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        audit.record_change(
            actor=actor,
            action="api_token_revoke",
            instance=token,
            person_id=None,
            changes={"revoked_at": [None, audit.snapshot(token, ["revoked_at"])["revoked_at"]]},
            summary=f"Revoked API token {token}",
            reason=reason,
        )
    return token


# -- a request's token ------------------------------------------------------------------


class TokenRefused(Exception):
    """The bearer token cannot be used; the message says why, for the caller."""


def _date(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def api_token_for(credentials: str) -> ApiToken:
    """The usable token `credentials` (the text after `Bearer `) is, or TokenRefused.

    Expired and revoked tokens are only named as such to a caller holding their secret.
    """
    match = _TOKEN.fullmatch(credentials) if len(credentials) <= MAX_TOKEN_LENGTH else None
    if match is None:
        raise TokenRefused(
            "The API token is not in the form cm_<key>_<secret>. Send it as "
            "'Authorization: Bearer <token>', exactly as it was shown when it was made."
        )
    token = ApiToken.objects.select_related("user").filter(key_id=match["key_id"]).first()
    matches = hmac.compare_digest(
        token.secret_hash if token is not None else _NO_SUCH_HASH, hash_secret(match["secret"])
    )
    if token is None or not matches:
        raise TokenRefused("This API token is not recognised.")
    if token.is_revoked:
        assert token.revoked_at is not None  # noqa: S101 (is_revoked)
        raise TokenRefused(
            f"This API token was revoked on {_date(token.revoked_at)}. Ask a system "
            "administrator for a new one."
        )
    if token.is_expired:
        raise TokenRefused(
            f"This API token expired on {_date(token.expires_at)}. Ask a system administrator "
            "for a new one."
        )
    if not token.user.is_active:
        raise TokenRefused("The account this API token acts as has been disabled.")
    if token.user.has_usable_password():
        raise TokenRefused(
            "The account this API token acts as can now sign in with a password, so the "
            "token no longer works: tokens act only as service accounts."
        )
    return token


def api_token_used(token: ApiToken, *, ip_address: str | None) -> None:
    """Note that the token was used: at most once a minute, so most calls write nothing."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < datetime.timedelta(seconds=60):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
    token.last_used_at = now
    token.last_used_ip = ip_address
