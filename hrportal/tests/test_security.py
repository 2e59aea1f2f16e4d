"""Issue 10, security settings: CSRF on unsafe methods, session rotation and idle timeout,
login lockout, security headers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_csrf_is_enforced_on_session_authenticated_unsafe_methods(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.employee.user)
    # Session-authenticated API call without the CSRF token: refused, nothing saved.
    response = client.post(
        "/api/v1/requests/",
        {"kind": "certificate", "certificate_type": "employment", "copies": 1},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    # Logout is POST-only and CSRF-protected too.
    assert client.post("/accounts/logout/").status_code == 403


def test_csrf_token_makes_the_same_call_pass(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.employee.user)
    client.get("/accounts/login/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/api/v1/requests/",
        {"kind": "certificate", "certificate_type": "employment", "copies": 1},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content


def test_session_key_rotates_at_login(cast) -> None:
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before


def test_session_cookie_flags() -> None:
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_TOUCH_SECONDS == 60


def _expiry(client: Client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_idle_timeout_is_renewed_by_activity_at_most_once_a_touch_interval(cast) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        client = Client()
        client.force_login(cast.employee.user)
        # The first page marks the session as touched: saved, and its cookie re-sent with the idle age.
        first = client.get("/")
        assert first.status_code == 200
        assert first.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
        renewed_at = _expiry(client)
        # Within the interval: no write, no cookie — the expiry stays.
        traveller.shift(settings.SESSION_TOUCH_SECONDS - 1)
        quiet = client.get("/")
        assert quiet.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in quiet.cookies
        assert _expiry(client) == renewed_at
        # Once the interval has passed, the next request pushes the expiry forward again.
        traveller.shift(1)
        again = client.get("/api/v1/me/")
        assert again.status_code == 200
        assert settings.SESSION_COOKIE_NAME in again.cookies
        assert _expiry(client) > renewed_at


def test_an_idle_session_past_its_age_is_logged_out(cast) -> None:
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(cast.employee.user)
    assert client.get("/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_logout_leaves_no_session_behind(cast) -> None:
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(cast.employee.user)
    client.get("/")
    assert client.post("/accounts/logout/").status_code == 302
    assert Session.objects.count() == 0


def test_login_attempts_are_limited_and_logged(cast, caplog) -> None:
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "employee", "password": "wrong"})
    # Now even the right password is refused for this username and address.
    response = client.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="employee")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    # Another address is not locked out.
    other = Client(REMOTE_ADDR="10.9.8.8")
    assert other.post("/accounts/login/", {"username": "employee", "password": PASSWORD}).status_code == 302


def test_token_endpoint_is_limited_too(cast) -> None:
    client = Client(REMOTE_ADDR="10.9.8.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "manager", "password": "nope"}, content_type="application/json")
    response = client.post(
        "/api/v1/auth/token/", {"username": "manager", "password": PASSWORD}, content_type="application/json"
    )
    # Locked out: the right password no longer yields a token (DRF answers 400 "unable to log in").
    assert response.status_code in (400, 403, 429)
    assert '"token"' not in response.content.decode()


def test_security_headers(client) -> None:
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_passwords_are_validated() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
    with pytest.raises(ValidationError):
        validate_password("short")
