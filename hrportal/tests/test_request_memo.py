"""hrportal.request_memo: an answer is computed once per HTTP request, and never kept outside one."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from hrportal.request_memo import RequestMemoMiddleware, memo


def test_outside_a_request_every_call_computes() -> None:
    calls = []
    assert memo("k", lambda: calls.append(1) or len(calls)) == 1
    assert memo("k", lambda: calls.append(1) or len(calls)) == 2


def test_inside_a_request_once_and_gone_afterwards() -> None:
    calls: list[int] = []
    seen: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    def view(request) -> HttpResponse:
        seen.extend([memo("k", compute), memo("k", compute)])
        return HttpResponse("ok")

    middleware = RequestMemoMiddleware(view)
    middleware(RequestFactory().get("/"))
    assert seen == [1, 1]
    middleware(RequestFactory().get("/"))  # a new request starts empty
    assert seen == [1, 1, 2, 2]
    assert memo("k", compute) == 3  # and nothing leaked out of the requests
