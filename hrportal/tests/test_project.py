"""Project-level guarantees: schema, migrations, deploy checks."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_openapi_schema_is_valid_openapi_3(client: Client, cast) -> None:
    client.force_login(cast.employee.user)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document


@pytest.mark.django_db
def test_api_docs_page_renders(client: Client, cast) -> None:
    client.force_login(cast.employee.user)
    assert client.get("/api/v1/docs/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_the_schema_and_its_page_need_a_login(client: Client, path: str) -> None:
    assert client.get(path).status_code in (401, 403)


@pytest.mark.django_db
def test_makemigrations_check_is_clean() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x7Yq!p2Lr9#Vb4Nz8Wc1Km6Hs3Dt5Fg0Jj_ProdLikeSecretOfFiftyPlusChars",
        "DJANGO_ALLOWED_HOSTS": "hr.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
