"""The API's one paginator: DRF's limit/offset, bounded so that no number a caller sends reaches the database
out of range (a `limit` of 22 digits was a 500 from PostgreSQL's bigint)."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import LimitOffsetPagination, _positive_int

MAX_OFFSET = 2**31 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 1000

    def get_offset(self, request: Any) -> int:
        try:
            return _positive_int(request.query_params[self.offset_query_param], cutoff=MAX_OFFSET)
        except (KeyError, ValueError):
            return 0


class KnownCountPagination(BoundedLimitOffsetPagination):
    """The same pages, with the total given by the caller when it knows it without a COUNT (a counter the services
    keep, e.g. requests_app.selectors.request_total); None counts the queryset as usual."""

    def __init__(self, count: int | None = None) -> None:
        self.known_count = count

    def get_count(self, queryset: Any) -> int:
        return self.known_count if self.known_count is not None else super().get_count(queryset)
