"""The session idle timeout without a database write on every request.

SESSION_COOKIE_AGE is an idle timeout: a session lives that long after the user's last request. Django's
SESSION_SAVE_EVERY_REQUEST gets there by rewriting the session row (and its cookie) on every request — on
PostgreSQL an UPDATE and a commit per page view. This middleware instead re-saves a session only when its
last save is SESSION_TOUCH_SECONDS old or more, so a session expires between SESSION_COOKIE_AGE minus that
interval and SESSION_COOKIE_AGE after the last request (docs/decisions/0006-session-idle-touch.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TOUCHED_KEY = "_touched"


class SessionTouchMiddleware:
    """Placed after SessionMiddleware, so its mark is seen when SessionMiddleware saves the session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No key: no session yet, or one just flushed at logout — nothing to keep alive.
        if session is None or session.session_key is None:
            return response
        now = int(time.time())
        if session.modified or now - int(session.get(TOUCHED_KEY, 0)) >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED_KEY] = now  # marks it modified: SessionMiddleware saves it and re-sends the cookie
        return response
