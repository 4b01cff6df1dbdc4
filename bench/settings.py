"""Production settings plus the page benchmark's bare view (bench/urls.py).

Only the benchmark's gunicorn runs with DJANGO_SETTINGS_MODULE=bench.settings; the portal's
own settings never route to the bare view, so it is unreachable in production."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
