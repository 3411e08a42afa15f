"""The second factor: authenticator apps (TOTP), recovery codes, and the checks of a code.

Every check of a code goes through a device's own throttling (django-otp doubles the
wait after each wrong code: 1, 2, 4, 8 ... seconds), and every outcome that matters
(a wrong code, a refused attempt, a device added, replaced or removed, new recovery
codes) writes an audit change event in the same transaction.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casemgmt import audit
from casemgmt.models import User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
PENDING_NAME = "New authenticator (not yet confirmed)"
RECOVERY_NAME = "Recovery codes"
# Devices the demo seed and the benchmarks make: only these may have their code printed.
DEMO_DEVICE_NAME = "demo"
BENCH_DEVICE_NAME = "bench"
# Longer than any code or recovery code, with room for spaces and dashes people type.
CODE_MAX_LENGTH = 32

_TOTP_CODE = re.compile(r"[0-9]{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")

WRONG_CODE = "The code is not right. Check your authenticator app and enter the code it shows now"
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has already been used"
NO_RECOVERY_CODES = "You have no recovery codes left. Enter the code from your authenticator app"
WRONG_PASSWORD = "The password is not right"  # noqa: S105 (a message, not a password)
NOT_ENROLLED = "Set up an authenticator app first"


class CodeRefused(Exception):
    """A code (or password) that was not accepted, with what to tell the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CodeKind:
    value: str
    is_recovery: bool


def normalise_code(text: str) -> CodeKind | None:
    """What was typed, without spaces and dashes: a 6-digit code, a recovery code, or None."""
    value = re.sub(r"[\s-]+", "", text).lower()
    if _TOTP_CODE.fullmatch(value):
        return CodeKind(value, is_recovery=False)
    if _RECOVERY_CODE.fullmatch(value):
        return CodeKind(value, is_recovery=True)
    return None


def confirmed_authenticator(user: User) -> Any:
    """The user's confirmed authenticator (TOTP device), or None if they have not set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def key_for_typing(device: Any) -> str:
    """The device's secret in base32, in groups of four, for someone who cannot scan a QR code."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: Any) -> str:
    """An inline SVG QR code of the device's otpauth:// URL (no script, no style attribute)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=4,
    )
    svg = image.to_string(encoding="unicode")
    # Drop the XML declaration: the SVG goes inside the page, with a label for screen readers.
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg width="220" height="220"', svg)
    return svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1
    )


def next_code(device: Any) -> str:
    """The code the device will accept next: this time step's, or the next one if it was used.

    For scripts and tests that sign in (the demo's `demo_code`, the benchmarks): a code
    is accepted once, so a second sign-in in the same 30 seconds needs the next step's.
    """
    device.refresh_from_db(fields=["last_t", "drift"])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    current = totp.t()
    if device.last_t >= current:
        totp.time += (device.last_t + 1 - current) * device.step
    return f"{totp.token():0{device.digits}d}"


def _throttle_message(device: Any) -> str | None:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (details or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    if seconds < 120:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        wait = f"{(seconds + 59) // 60} minutes"
    return f"Too many wrong codes. Wait {wait}, then try again"


def _record(
    *, actor: User, action: str, device: Any, summary: str, changes: dict[str, Any] | None = None
) -> None:
    audit.record_change(
        actor=actor,
        action=action,
        instance=device,
        person_id=None,
        changes=changes or {},
        summary=summary,
    )


def _check_device(*, user: User, device: Any, code: str, purpose: str) -> str | None:
    """Check a code against one locked device, throttled and audited: None, or what was wrong.

    A refusal is returned rather than raised so that the caller's transaction commits the
    throttle's count and the audit event.
    """
    label = "recovery code" if isinstance(device, StaticDevice) else "code"
    throttled = _throttle_message(device)
    if throttled:
        _record(
            actor=user,
            action="mfa_code_throttled",
            device=device,
            summary=f"A {label} for {purpose} was refused: too many wrong codes",
        )
        return throttled
    failures = device.throttling_failure_count
    if device.verify_token(code):
        return None
    _record(
        actor=user,
        action="mfa_code_wrong",
        device=device,
        summary=f"A wrong {label} was entered for {purpose}",
        changes={"failures": [failures, device.throttling_failure_count]},
    )
    return WRONG_RECOVERY_CODE if label == "recovery code" else WRONG_CODE


def code_verify(*, user: User, code: str, purpose: str = "sign-in") -> Any:
    """The device that accepts `code` (authenticator or recovery code); CodeRefused if none."""
    kind = normalise_code(code)
    if kind is None:
        raise CodeRefused(WRONG_CODE)
    with transaction.atomic():
        if kind.is_recovery:
            device = (
                StaticDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("id")
                .first()
            )
            if device is None or not device.token_set.exists():
                raise CodeRefused(NO_RECOVERY_CODES)
        else:
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("-id")
                .first()
            )
            if device is None:
                raise CodeRefused(NOT_ENROLLED)
        refusal = _check_device(user=user, device=device, code=kind.value, purpose=purpose)
        if refusal is None and kind.is_recovery:
            left = device.token_set.count()
            _record(
                actor=user,
                action="mfa_recovery_code_used",
                device=device,
                summary=f"A recovery code was used for {purpose}; {left} left",
                changes={"codes": [left + 1, left]},
            )
        elif refusal is None and purpose == "sign-in":
            _record(
                actor=user,
                action="mfa_verified",
                device=device,
                summary="Signed in with a code from an authenticator app",
            )
    if refusal is not None:
        raise CodeRefused(refusal)
    return device


def authenticator_pending(*, user: User) -> Any:
    """The unconfirmed authenticator a user is setting up (made once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PENDING_NAME, confirmed=False)
    return device


def authenticator_confirm(*, actor: User, device_id: int, code: str) -> tuple[Any, list[str]]:
    """Confirm the pending authenticator with a code from it, replacing any earlier one.

    Returns the device and, on a first set-up, the new recovery codes (to show once).
    """
    kind = normalise_code(code)
    if kind is None or kind.is_recovery:
        raise CodeRefused("Enter the 6-digit code your authenticator app shows")
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=actor, confirmed=False)
            .first()
        )
        if device is None:
            raise CodeRefused("Start setting up your authenticator app again")
        refusal = _check_device(user=actor, device=device, code=kind.value, purpose="setting up")
        if refusal is None:
            return _authenticator_confirmed(actor=actor, device=device)
    raise CodeRefused(refusal)


def _authenticator_confirmed(*, actor: User, device: Any) -> tuple[Any, list[str]]:
    """Make the confirmed device the only authenticator; recovery codes on a first set-up."""
    replaced = list(
        TOTPDevice.objects.filter(user=actor, confirmed=True).values_list("pk", flat=True)
    )
    TOTPDevice.objects.filter(pk__in=replaced).delete()
    device.confirmed = True
    device.name = AUTHENTICATOR_NAME
    device.save(update_fields=["confirmed", "name"])
    _record(
        actor=actor,
        action="mfa_authenticator_replaced" if replaced else "mfa_authenticator_added",
        device=device,
        summary=("Replaced their authenticator app" if replaced else "Set up an authenticator app"),
        changes={"authenticator": [replaced[0] if replaced else None, device.pk]},
    )
    codes: list[str] = []
    if not replaced and recovery_codes_left(actor) == 0:
        codes = _recovery_codes_replace(actor=actor)
    return device, codes


def _recovery_codes_replace(*, actor: User) -> list[str]:
    device = StaticDevice.objects.filter(user=actor).order_by("id").first()
    if device is None:
        device = StaticDevice.objects.create(user=actor, name=RECOVERY_NAME, confirmed=True)
    before = device.token_set.count()
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    device.throttle_reset(commit=False)
    device.save()
    _record(
        actor=actor,
        action="mfa_recovery_codes_created",
        device=device,
        summary=f"Made {RECOVERY_CODE_COUNT} new recovery codes",
        changes={"codes": [before, RECOVERY_CODE_COUNT]},
    )
    return sorted(codes)


def recovery_codes_create(*, actor: User) -> list[str]:
    """New recovery codes for the user; the old ones stop working. Shown to them once."""
    with transaction.atomic():
        return _recovery_codes_replace(actor=actor)


def reauthenticate(*, user: User, password: str, code: str) -> Any:
    """Check the password and a current code again before the second factor is changed.

    A wrong password counts against the authenticator's throttle too, so the check
    cannot be used to guess a password at speed.
    """
    device = confirmed_authenticator(user)
    if device is None:
        raise CodeRefused(NOT_ENROLLED)
    if not user.check_password(password):
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            throttled = _throttle_message(device)
            failures = device.throttling_failure_count
            if throttled is None:
                device.throttle_increment()
            _record(
                actor=user,
                action="mfa_reauthentication_failed",
                device=device,
                summary="A wrong password was entered to change sign-in security",
                changes={"failures": [failures, device.throttling_failure_count]},
            )
        raise CodeRefused(throttled or WRONG_PASSWORD)
    verified = code_verify(user=user, code=code, purpose="re-authentication")
    _record(
        actor=user,
        action="mfa_reauthenticated",
        device=verified,
        summary="Confirmed their password and code to change sign-in security",
    )
    return verified


def mfa_reset(*, actor: User, user: User) -> int:
    """An administrator removes a user's authenticator and recovery codes; they set up again."""
    with transaction.atomic():
        devices = [
            *TOTPDevice.objects.filter(user=user),
            *StaticDevice.objects.filter(user=user),
        ]
        for device in devices:
            _record(
                actor=actor,
                action="mfa_reset",
                device=device,
                summary=f"Reset the sign-in security of {user.get_username()}"[:300],
                changes={"user": [user.pk, user.pk], "device": [device.pk, None]},
            )
            device.delete()
    return len(devices)


def script_device_ensure(*, user: User, name: str = DEMO_DEVICE_NAME) -> Any:
    """A confirmed authenticator for a demo or benchmark user, made if they have none."""
    device = confirmed_authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
    return device
