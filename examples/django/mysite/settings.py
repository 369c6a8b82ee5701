"""Settings for the Hoist Django example: production-shaped, and small."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Set DJANGO_SECRET_KEY on real servers (hoist.yml `env` is not the place for
# secrets); the default only keeps the example runnable out of the box.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-hoist-example")
DEBUG = False
# Hoist exports the app's domain and aliases (hoist.yml) as HOIST_HOSTS.
ALLOWED_HOSTS = os.environ.get("HOIST_HOSTS", "django.test").split() + ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "visits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"

# instance/ is the shared dir Hoist links into every release, so the database
# survives deploys. Create it when the project runs outside Hoist.
INSTANCE_DIR = BASE_DIR / "instance"
INSTANCE_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": INSTANCE_DIR / "db.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# nginx serves STATIC_ROOT at /static (hoist.yml `static`); Django never does with DEBUG off.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "collected"

# With DEBUG off Django would only mail errors; send them to gunicorn's log instead.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
