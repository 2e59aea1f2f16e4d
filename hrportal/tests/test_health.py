from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings


@pytest.mark.django_db
def test_healthz_answers_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_readyz_ok_when_database_and_broker_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_readyz_503_names_the_database_when_it_is_down(client: Client) -> None:
    with mock.patch("hrportal.views.connection") as conn:
        conn.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/readyz")
    assert response.status_code == 503
    assert any(p.startswith("database:") for p in response.json()["problems"])


@pytest.mark.django_db
def test_readyz_503_names_the_broker_when_it_is_down(client: Client) -> None:
    from hrportal.celery import app

    # A real connection attempt to a loopback port where nothing listens.
    refused = app.connection_for_write(url="redis://127.0.0.1:1/0", transport_options={})
    with mock.patch("hrportal.views.celery_app.connection_for_write", return_value=refused):
        response = client.get("/readyz")
    assert response.status_code == 503
    problems = response.json()["problems"]
    assert any(p.startswith("broker:") for p in problems), problems


@pytest.mark.django_db
def test_request_id_is_taken_from_a_sane_header_and_replaced_otherwise(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


@pytest.mark.django_db
def test_metrics_served_to_loopback_only(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403


@pytest.mark.django_db
@override_settings(METRICS_BEARER_TOKEN="s3cret")
def test_metrics_with_bearer_token_from_elsewhere(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer nope").status_code == 403


@pytest.mark.django_db
def test_login_page_renders(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
