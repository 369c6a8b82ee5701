"""Settings of the services example: everything stateful comes from Hoist's services."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-hoist-example")
DEBUG = False
ALLOWED_HOSTS = os.environ.get("HOIST_HOSTS", "djpg.test").split() + ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "notes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "shopsite.urls"
WSGI_APPLICATION = "shopsite.wsgi.application"

# DATABASE_URL: postgres://ROLE:PASSWORD@HOST:5432/DB, from /srv/<app>/etc/services.
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL: redis://USER:PASSWORD@HOST:PORT/0, the app's own Redis instance and ACL user.
CACHES = {
    "default": {
        "BACKEND": "notes.redis_cache.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "cache",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# UPLOADS_DIR is written by the app and served by nginx at UPLOADS_URL; without 'files' in
# services (e.g. with a db node of its own) there are no uploads.
UPLOADS_DIR = Path(os.environ["UPLOADS_DIR"]) if os.environ.get("UPLOADS_DIR") else None
UPLOADS_URL = os.environ.get("UPLOADS_URL", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
