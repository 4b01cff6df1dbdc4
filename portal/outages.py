"""A database outage answers a calm 503 page instead of the generic error page."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER = 60  # seconds


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection in a view into 503 + Retry-After.

    /api/ gets the same as JSON; /healthz never raises (it reports)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error(
            "database unavailable: %s %s", request.method, request.path, exc_info=exception
        )
        if request.path.startswith("/api/"):  # the API answers JSON, errors included
            message = _("The portal is briefly unavailable. Please try again in a minute.")
            response = JsonResponse({"detail": str(message)}, status=503)
        else:
            # No request context: its processors (user, notifications) would query the database.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
