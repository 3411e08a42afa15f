"""The documents storage, chosen by DOCUMENT_STORAGE: imported by casemgmt/settings.py.

`local` (the default) keeps files in MEDIA_ROOT/documents, which is outside the static
files and never served by the web server: every file goes through the audited views.
`s3` keeps them in an S3-compatible bucket through django-storages, with private
objects (no ACL, signed URLs only) that the same views stream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from casemgmt.env import env_bool, env_str


def document_storage_settings(media_root: Path) -> dict[str, Any]:
    """The STORAGES["documents"] entry for the environment."""
    backend = env_str("DOCUMENT_STORAGE", "local").strip().lower()
    if backend == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(media_root / "documents"),
                # Never served by URL: the views stream files after checking and auditing.
                "base_url": "/no-direct-access/",
                "file_permissions_mode": 0o640,
                "directory_permissions_mode": 0o750,
            },
        }
    if backend == "s3":
        options: dict[str, Any] = {
            "bucket_name": env_str("DOCUMENT_S3_BUCKET"),
            "location": env_str("DOCUMENT_S3_PREFIX", "casemgmt"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        }
        for option, variable in (
            ("endpoint_url", "DOCUMENT_S3_ENDPOINT_URL"),
            ("region_name", "DOCUMENT_S3_REGION"),
            ("access_key", "DOCUMENT_S3_ACCESS_KEY_ID"),
            ("secret_key", "DOCUMENT_S3_SECRET_ACCESS_KEY"),
        ):
            value = env_str(variable, "")
            if value:
                options[option] = value
        if not env_bool("DOCUMENT_S3_SERVER_SIDE_ENCRYPTION", default=True):
            del options["object_parameters"]
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    raise ImproperlyConfigured(f"DOCUMENT_STORAGE must be 'local' or 's3', not {backend!r}.")
