"""Every answer under /api/ is JSON, errors included.

DRF answers its own exceptions in JSON; three holes remain, closed here:
- DRF's JSON parser reads the body from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
  (that limit guards only `request.body` and forms), and lets the RecursionError of a deeply
  nested document through as a 500;
- exceptions DRF does not know (RequestDataTooBig from a form body, any bug) go on to Django,
  whose error pages are HTML;
- URLs under /api/ that match no view get Django's HTML 404.
The Django-level handlers below are installed in portal/urls.py (handler400 ... handler500).
A service's Django ValidationError becomes DRF's 400 with field messages (`field_errors`).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions, parsers, status
from rest_framework.utils import json  # strict_constant: NaN and Infinity are not JSON
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(
            _("The request body is too large: at most %(size)s MB.")
            % {"size": round(limit / 1024 / 1024, 1)}
            if limit
            else None
        )


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the body capped and every malformed document a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Read one byte past the limit: enough to know it is too large, never the whole body.
        body = stream.read(limit + 1 if limit is not None else -1)
        if limit is not None and len(body) > limit:
            raise RequestTooLarge()
        try:
            text = codecs.decode(body, encoding)
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError as error:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from error
        except ValueError as error:  # also UnicodeDecodeError
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from error


def exception_handler(exc, context):
    """DRF's handler, knowing also the Django exceptions a request body can raise."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    return drf_exception_handler(exc, context)


@contextmanager
def field_errors() -> Iterator[None]:
    """Inside it, a Django ValidationError (a service's refusal) answers 400 with the messages
    by field, as DRF's own validation does."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            messages = {
                field: [str(m) for e in errors for m in e.messages]
                for field, errors in error.error_dict.items()
            }
        else:
            messages = {"non_field_errors": [str(m) for m in error.messages]}
        raise exceptions.ValidationError(messages) from error


def _json(detail: str, status_code: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status_code)


# Django's error views, answering JSON under /api/ and the portal's pages elsewhere.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _json(str(RequestTooLarge().detail), status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return _json(_("The request could not be understood."), status.HTTP_400_BAD_REQUEST)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return _json(_("You do not have permission to perform this action."), status.HTTP_403_FORBIDDEN)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return _json(_("There is nothing at this address of the API."), status.HTTP_404_NOT_FOUND)


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api(request):
        return defaults.server_error(request)
    return _json(
        _("The server met an error; it is logged. Try again later."),
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
