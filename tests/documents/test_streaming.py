"""A big upload and its download stream: never whole in memory."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clients.models import Person
from documents.models import Document
from tests.documents.conftest import BOUNDARY, CONTENT_TYPE
from tests.documents.conftest import multipart as _multipart

pytestmark = pytest.mark.django_db

SIZE = 50 * 1024 * 1024
LINE = b"0123456789,abcdefghijklmnopqrstuvwxyz,ABCDEFGHIJKLMNOPQRSTUVWXYZ,0123456789\n"


def _write_body(path: Path, details: dict[str, str]) -> tuple[int, str]:
    """A multipart body with a 50 MB CSV, written to disk in pieces; its length and the CSV's hash."""
    head, _, tail = _multipart(details, [("big.csv", b"\0")]).rpartition(b"\0")
    digest = hashlib.sha256()
    with path.open("wb") as body:
        body.write(head)
        written = 0
        block = LINE * (1024 * 1024 // len(LINE))
        while written < SIZE:
            piece = block[: SIZE - written]
            body.write(piece)
            digest.update(piece)
            written += len(piece)
        body.write(tail)
    assert tail.endswith(f"--{BOUNDARY}--\r\n".encode())
    return path.stat().st_size, digest.hexdigest()


def test_a_50_mb_upload_and_download_stay_far_below_the_file_size_in_memory(
    worker_client: Client,
    person: Person,
    details: dict[str, str],
    tmp_path: Path,
    document_folder: Path,
) -> None:
    body_path = tmp_path / "body"
    length, sha256 = _write_body(body_path, details)
    url = reverse("documents:document-upload", kwargs={"person_id": person.pk})

    with body_path.open("rb") as body:
        tracemalloc.start()
        try:
            response: Any = worker_client.request(
                PATH_INFO=url,
                REQUEST_METHOD="POST",
                CONTENT_TYPE=CONTENT_TYPE,
                CONTENT_LENGTH=str(length),
                **{"wsgi.input": body},
            )
            _, upload_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert response.status_code == 302, response.content[:3000]
    version = Document.objects.get().current_version
    assert version is not None
    assert version.size == SIZE
    assert version.sha256 == sha256
    assert version.content_type == "text/csv"
    assert upload_peak < 10 * 1024 * 1024, f"upload peak {upload_peak:,} bytes"

    download_url = reverse(
        "documents:document-download",
        kwargs={
            "person_id": person.pk,
            "document_id": version.document_id,
            "version_id": version.pk,
        },
    )
    tracemalloc.start()
    try:
        download = worker_client.get(download_url)
        digest = hashlib.sha256()
        for chunk in download.streaming_content:
            digest.update(chunk)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == sha256
    assert download_peak < 10 * 1024 * 1024, f"download peak {download_peak:,} bytes"
