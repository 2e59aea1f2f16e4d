"""API tokens (docs/decisions/api-tokens.md): each sign-in gets its own token, tokens expire, a password change or a
deactivation revokes them, and the owner revokes theirs with `DELETE /api/v1/auth/token/`."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from conftest import PASSWORD
from staff.models import ApiToken

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _sign_in(username: str = "employee") -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_each_sign_in_gets_its_own_token_stored_as_a_digest(cast) -> None:
    first = APIClient().post("/api/v1/auth/token/", {"username": "employee", "password": PASSWORD}).json()
    second = APIClient().post("/api/v1/auth/token/", {"username": "employee", "password": PASSWORD}).json()
    assert first["token"] != second["token"]
    assert {"token", "expiry"} <= set(first)
    stored = set(ApiToken.objects.values_list("digest", flat=True))
    assert first["token"] not in stored and second["token"] not in stored


def test_a_token_expires_after_the_configured_days(cast, settings) -> None:
    with time_machine.travel(START, tick=False):
        client = _sign_in()
        assert client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(START + dt.timedelta(days=29, hours=23), tick=False):
        assert client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(START + dt.timedelta(days=30, minutes=1), tick=False):
        assert client.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.exists()  # the expired token is gone


def test_a_password_change_revokes_every_earlier_token(cast) -> None:
    client = _sign_in()
    other_device = _sign_in()
    user = User.objects.get(username="employee")
    user.set_password("a-new-long-password-1")
    user.save()
    assert client.get("/api/v1/me/").status_code == 401
    assert other_device.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_deactivation_revokes_the_tokens(cast) -> None:
    client = _sign_in()
    User.objects.filter(username="employee").update(is_active=False)
    assert client.get("/api/v1/me/").status_code == 401


def test_the_owner_revokes_their_token(cast) -> None:
    client = _sign_in()
    kept = _sign_in()
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert kept.get("/api/v1/me/").status_code == 200  # another sign-in's token is its own
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401


def test_signed_in_by_session_the_owner_revokes_all_their_tokens(cast) -> None:
    token_client = _sign_in()
    session = APIClient()
    session.force_login(User.objects.get(username="employee"))
    assert session.delete("/api/v1/auth/token/").status_code == 204
    assert token_client.get("/api/v1/me/").status_code == 401
