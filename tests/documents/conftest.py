"""Documents tests: a storage folder of their own, and helpers to upload through the page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import Code
from clients.models import Person
from documents.models import CATEGORY_LIST_KEY


@pytest.fixture(autouse=True)
def document_folder(settings: Any, tmp_path: Path) -> Path:
    """Every test stores documents in a folder of its own (checked for leftovers)."""
    folder = tmp_path / "documents"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": "/no-direct-access/"},
        },
    }
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def category(db: None) -> Code:
    return Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="assessment")


@pytest.fixture
def details(category: Code) -> dict[str, str]:
    """What a worker types about an upload."""
    return {
        "title": "Initial assessment",
        "category": str(category.pk),
        "document_date_day": "3",
        "document_date_month": "2",
        "document_date_year": "2026",
        "confidentiality": "normal",
    }


BOUNDARY = "----casemgmt-test-boundary-7MA4YWxkTrZu0gW"


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> bytes:
    """A multipart body with the file names exactly as given (the test client would
    shorten a name with a path in it, as a browser does not always)."""
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for filename, content in files:
        escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{escaped}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def post_files(
    client: Client, url: str, fields: dict[str, str], files: list[tuple[str, bytes]]
) -> Any:
    return client.post(url, data=multipart(fields, files), content_type=CONTENT_TYPE)


@pytest.fixture
def upload(worker_client: Client, person: Person, details: dict[str, str]) -> Callable[..., Any]:
    """POST files (name, bytes) to the person's upload page with the typed details."""

    def post(*files: tuple[str, bytes], client: Client | None = None, **overrides: str) -> Any:
        return post_files(
            client or worker_client,
            reverse("documents:document-upload", kwargs={"person_id": person.pk}),
            {**details, **overrides},
            list(files),
        )

    return post


TODAY = datetime.date(2026, 2, 3)
