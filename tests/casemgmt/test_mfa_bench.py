"""The benchmarks' load generator signs in over HTTP through both stages, as a person would."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench import loadgen
from casemgmt.mfa.services import BENCH_DEVICE_NAME
from casemgmt.roles import Role
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_the_load_generator_gives_bench_users_an_authenticator_and_signs_in_with_it(
    live_server: Any,
) -> None:
    # Given a bench user from a dataset made before sign-in needed a code
    user = UserFactory(username="bench.practitioner1", roles=[Role.PRACTITIONER])
    assert not TOTPDevice.objects.filter(user=user).exists()

    # When the load generator starts and signs in twice (a code works only once)
    loadgen.ensure_authenticators(["bench.practitioner1"])
    port = urlsplit(live_server.url).port
    first = loadgen.login(port, "bench.practitioner1", "correct-horse-battery")
    second = loadgen.login(port, "bench.practitioner1", "correct-horse-battery")

    # Then the user has the bench's authenticator and both sessions are signed in
    assert [d.name for d in TOTPDevice.objects.filter(user=user)] == [BENCH_DEVICE_NAME]
    assert first != second
    for cookie in (first, second):
        assert "sessionid=" in cookie
