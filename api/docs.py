"""/api/docs/: the API reference page, for every signed-in user; visitors learn how to get a
token."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .base import ApiPagination
from .reference import api_reference


class DocsView(APIView):
    """The API reference, written on the server from the schema (api/reference.py): headings
    and tables a screen reader and a phone read, no script. Swagger UI failed axe."""

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request):
        return render(
            request._request,
            "api/docs.html",
            {
                "reference": api_reference(translation.get_language()),
                "base_url": f"{request.scheme}://{request.get_host()}",  # for the examples
                "page_size": api_settings.PAGE_SIZE,
                "max_page_size": ApiPagination.max_page_size,
            },
        )

    def handle_exception(self, exc):
        # A visitor who is not signed in is a person in a browser: tell them how to get a
        # token rather than answering a bare "401 Unauthorized".
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response = render(self.request._request, "api/docs_visitor.html", status=401)
            response["WWW-Authenticate"] = "Token"
            return response
        return super().handle_exception(exc)
