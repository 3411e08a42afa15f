"""Settings for the test suite: the real PostgreSQL and Redis, a throwaway key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-for-any-deployed-server")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CACHE_KEY_PREFIX", "casemgmt-test")

from casemgmt.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Several test runs on one machine (parallel work, xdist) each get their own database.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": "test_{}{}".format(DATABASES["default"]["NAME"], os.environ.get("PYTEST_DB_SUFFIX", ""))  # noqa: F405
}

# Test tasks go through a Redis database of their own, so a `make run` worker never takes
# them; and one per xdist worker (gw0: 14, gw1: 13, ...), so a real worker started by a test
# in one process never takes a job meant for another process's test database.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
_BROKER_DB = 14 - (int(_XDIST_WORKER) % 6 if _XDIST_WORKER.isdigit() else 0)
CELERY_BROKER_URL = os.environ.get(
    "TEST_CELERY_BROKER_URL",
    REDIS_URL.rsplit("/", 1)[0] + f"/{_BROKER_DB}",  # noqa: F405
)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
