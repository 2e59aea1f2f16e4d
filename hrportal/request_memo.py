"""Answers kept for the length of one HTTP request (and only inside one).

Some reads are asked several times while one page or API call is served — the leave types, for instance,
by the balances, the quote and the page's labels. `memo(key, compute)` computes such an answer once per
request. Outside a request (tasks, commands, tests calling selectors directly) it computes every time,
so nothing can go stale in a long-running process.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_store: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("hrportal_request_memo", default=None)


def memo(key: str, compute: Callable[[], T]) -> T:
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
