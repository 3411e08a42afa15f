"""A first sign-in in Chromium: password, set up an authenticator app, save the recovery codes.

axe-core runs on each page of the second factor: set-up (and its error), recovery codes,
the code page, account security and re-authentication.
"""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import Page, expect

from casemgmt.mfa.services import confirmed_authenticator, mfa_reset, next_code
from casemgmt.models import User
from clients import demo
from tests.browser.conftest import Accessibility

pytestmark = pytest.mark.browser


def _key_from_page(page: Page) -> bytes:
    """The secret as the page writes it out for typing into an app that cannot scan."""
    typed = page.locator("#mfa-key").inner_text()
    text = re.sub(r"\s+", "", typed).upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def test_first_sign_in_sets_up_an_authenticator_and_shows_recovery_codes(
    page: Page, demo_council: dict[str, User], accessibility: Accessibility
) -> None:
    # Given a practitioner whose sign-in security has been reset (a new starter)
    user = demo_council["practitioner"]
    mfa_reset(actor=demo_council["admin"], user=user)

    # When she signs in with her password
    page.goto(reverse("clients:search"))
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill(demo.demo_password())
    page.get_by_role("button", name="Sign in").click()

    # Then she is asked to set up an authenticator app, with a QR code and the key written out
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa-setup"))))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    accessibility.check(page, "mfa-setup")

    # When she types a wrong code, she is told what is wrong
    key = _key_from_page(page)
    right = f"{totp(key):06d}"
    page.get_by_label("Code from the app").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    accessibility.check(page, "mfa-setup-error")

    # When she enters the code the app shows (after the short wait a wrong code costs)
    time.sleep(1.2)
    page.get_by_label("Code from the app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()

    # Then she sees her ten recovery codes, once
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    codes = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    shown = {text.strip() for text in page.locator("main li code").all_inner_texts()}
    assert len(shown) == 10
    assert shown == codes
    accessibility.check(page, "mfa-recovery-codes")

    # When she says she has saved them, she reaches the page she asked for
    page.get_by_role("button", name="I have saved these codes").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("clients:search")) + "$"))

    # and her account security page shows the app and the codes
    page.goto(reverse("account-security"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("10 unused")
    accessibility.check(page, "account-security")

    # When she asks for new codes she must confirm it is her
    page.get_by_role("link", name="Make new codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    accessibility.check(page, "mfa-reauthenticate")
    page.get_by_label("Password").fill(demo.demo_password())
    page.get_by_label("Security code").fill(next_code(confirmed_authenticator(user)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make new recovery codes")
    accessibility.check(page, "mfa-recovery-codes-create")

    # When she signs out and in again, the code page asks for the app's code
    page.get_by_role("button", name=re.compile("^Sign out")).first.click()
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill(demo.demo_password())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    accessibility.check(page, "mfa-verify")
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    accessibility.check(page, "mfa-verify-error")

    accessibility.assert_no_serious_problems()
