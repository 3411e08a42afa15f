"""Django settings for the benchmarks: production settings against the bench database.

`bench.config.configure()` points DATABASE_URL at the bench database before this is
imported. Only what a benchmark on loopback needs differs from production: plain HTTP
(no TLS redirect, cookies not marked Secure), loopback hosts, and static files served
from the source folders so no `collectstatic` run is needed.
"""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "bench-only-key-never-used-by-a-deployed-server")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("CACHE_KEY_PREFIX", "casemgmt-bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from casemgmt.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# WhiteNoise warns that STATIC_ROOT does not exist: the finders serve the files instead.
warnings.filterwarnings("ignore", message="No directory at")
SECURE_HSTS_SECONDS = 0
