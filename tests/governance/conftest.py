"""The information governance officer, who is not one of the suite-wide personas."""

from __future__ import annotations

import pytest
from django.test import Client

from casemgmt.models import User
from casemgmt.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def governance_officer(db: None) -> User:
    return UserFactory(
        username="ida.governance",
        first_name="Ida",
        last_name="Okafor",
        roles=[Role.INFORMATION_GOVERNANCE],
    )


@pytest.fixture
def governance_client(governance_officer: User) -> Client:
    client = Client()
    client.force_login(governance_officer)
    return client
