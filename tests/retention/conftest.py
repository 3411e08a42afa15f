"""Records retention: two information governance officers (four eyes) and the shipped rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from casemgmt.models import User
from casemgmt.roles import Role
from retention.models import RetentionRule
from tests.factories import UserFactory


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory(
        username="ida.governance",
        first_name="Ida",
        last_name="Okafor",
        roles=[Role.INFORMATION_GOVERNANCE],
    )


@pytest.fixture
def second_officer(db: None) -> User:
    return UserFactory(
        username="ian.governance",
        first_name="Ian",
        last_name="Price",
        roles=[Role.INFORMATION_GOVERNANCE],
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer: User) -> Client:
    return signed_in(officer)


@pytest.fixture
def second_officer_client(second_officer: User) -> Client:
    return signed_in(second_officer)


@pytest.fixture
def rules(db: None) -> dict[str, RetentionRule]:
    """The shipped rules, by category."""
    return {rule.category: rule for rule in RetentionRule.objects.all()}


@pytest.fixture(autouse=True)
def document_folder(settings: Any, tmp_path: Path) -> Path:
    """Documents are stored in a folder of the test's own, so removed files can be checked."""
    folder = tmp_path / "documents"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": "/no-direct-access/"},
        },
    }
    return folder
