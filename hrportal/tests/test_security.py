"""Issue 10, security settings: CSRF on unsafe methods, session rotation and idle timeout,
login lockout, security headers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

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


def test_session_cookie_flags_and_idle_timeout() -> None:
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # the age is an idle timeout
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


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
        client.post("/api/v1/auth/token/", {"username": "manager", "password": "nope"})
    response = client.post("/api/v1/auth/token/", {"username": "manager", "password": PASSWORD})
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
