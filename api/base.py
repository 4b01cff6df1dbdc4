"""What every endpoint shares: who may call the API, pages of rows, the documented errors."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import permissions as drf_permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from accounts import permissions
from portal.pagination import CAP, CappedPaginator

from .schema import PortalAutoSchema


class ApiPagination(PageNumberPagination):
    """Pages as DRF numbers them; `count` stops at 10,000 (`count_capped` then says there are
    more): follow `next` to read everything."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"  # 25 by default, up to 100 for scripts
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            f"Records found, counted up to {CAP:,}; more when count_capped is true."
        )
        answer["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"True when more than {CAP:,} records match: follow next to the end.",
        }
        answer["required"] = [*answer["required"], "count_capped"]
        return answer

    def get_page_size(self, request):
        # DRF silently falls back to 25 on page_size=abc or -3: say it is wrong instead.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("A whole number of at least 1; at most 100 rows are sent.")
                    ]
                }
            )
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        # DRF reads an empty ?page= as the first page; an empty value is no page number.
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)


class IsRepresentative(drf_permissions.BasePermission):
    message = gettext_lazy("Only overseas S&T representatives use this API.")

    def has_permission(self, request, view) -> bool:
        return permissions.can(request.user, "offer.list_own")


class RepresentativeAPI:
    """Mixed into each viewset: representatives only, paged, its errors in the schema.
    Each viewset's get_queryset asks the owning app's selector for the user's scope."""

    schema = PortalAutoSchema()
    pagination_class = ApiPagination
    permission_classes = [drf_permissions.IsAuthenticated, IsRepresentative]
