"""The API's pagination: DRF's limit/offset, with a malformed limit or offset refused.

DRF's own class quietly falls back to the defaults for `?limit=abc`; the schema says both are
integers, so a client that sends something else gets a 400 saying so rather than a page it did
not ask for."""

from __future__ import annotations

from rest_framework import pagination

from .errors import DomainError


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.limit_query_param, self.offset_query_param):
            value = request.query_params.get(name)
            if value is not None and not (value.isascii() and value.isdigit()):
                raise DomainError(
                    "bad_page", f"Parametern {name} ska vara ett heltal, noll eller större."
                )
        return super().paginate_queryset(queryset, request, view)
