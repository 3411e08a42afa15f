"""The documents storage: a local folder by default, S3 by setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from documents.storage_settings import document_storage_settings


def test_local_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCUMENT_STORAGE", raising=False)

    chosen = document_storage_settings(Path("/srv/media"))

    assert chosen["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert chosen["OPTIONS"]["location"] == "/srv/media/documents"


def test_s3_is_chosen_by_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCUMENT_STORAGE", "s3")
    monkeypatch.setenv("DOCUMENT_S3_BUCKET", "council-documents")
    monkeypatch.setenv("DOCUMENT_S3_ENDPOINT_URL", "https://objects.example.net")
    monkeypatch.setenv("DOCUMENT_S3_REGION", "eu-west-2")
    monkeypatch.setenv("DOCUMENT_S3_ACCESS_KEY_ID", "key-id")
    monkeypatch.setenv("DOCUMENT_S3_SECRET_ACCESS_KEY", "secret")

    chosen = document_storage_settings(Path("/srv/media"))

    assert chosen == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "council-documents",
            "location": "casemgmt",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
            "endpoint_url": "https://objects.example.net",
            "region_name": "eu-west-2",
            "access_key": "key-id",
            "secret_key": "secret",
        },
    }


def test_s3_needs_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCUMENT_STORAGE", "s3")
    monkeypatch.delenv("DOCUMENT_S3_BUCKET", raising=False)

    with pytest.raises(ImproperlyConfigured, match="DOCUMENT_S3_BUCKET"):
        document_storage_settings(Path("/srv/media"))


def test_an_unknown_storage_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCUMENT_STORAGE", "ftp")

    with pytest.raises(ImproperlyConfigured, match="'local' or 's3'"):
        document_storage_settings(Path("/srv/media"))


def test_the_settings_module_builds_an_s3_storage_from_the_environment() -> None:
    """The real settings, in a fresh process: STORAGES["documents"] is django-storages' S3."""
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import storages;"
        "s = storages['documents']; print(type(s).__module__, s.bucket_name)"
    )
    result = subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "casemgmt.settings",
            "SECRET_KEY": "x",
            "DOCUMENT_STORAGE": "s3",
            "DOCUMENT_S3_BUCKET": "council-documents",
            "PYTHONPATH": str(settings.BASE_DIR),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["storages.backends.s3", "council-documents"]
