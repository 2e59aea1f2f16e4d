"""Corporate sign-in in a real browser (Debian's chromium through Playwright, against pytest-django's live server
and a private slapd from tests/harness/slapd.py): the login page asks for the corporate login, a directory user
without an employee record reads why they cannot sign in, and an employee signs in with the directory's password
and lands on their dashboard. In Russian, the portal's default language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from conftest import Cast
from staff.models import Employee
from staff.tests.test_directory import DIRECTORY_PASSWORD, use_directory
from tests.browser.test_flows import CHROMIUM, TIMEOUT_MS, VIEWPORT, browser, org, shots  # noqa: F401  (fixtures)
from tests.harness.marks import requires_postgres
from tests.harness.slapd import Slapd

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    requires_postgres,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt)"),
]


def _log_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DIRECTORY_PASSWORD)
    page.press("#id_password", "Enter")  # a click on a submit button may hit the language switch


def test_an_employee_signs_in_with_the_corporate_login(
    org: Cast,  # noqa: F811
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
    settings: Any,
) -> None:
    with Slapd() as directory:
        directory.add_user(
            "a.kuznetsov", DIRECTORY_PASSWORD, given_name="Алексей", surname="Кузнецов", employee_id="7001"
        )
        directory.add_user("stranger", DIRECTORY_PASSWORD, given_name="Некто", surname="Чужой", employee_id="9999")
        Employee.objects.filter(pk=org.employee.pk).update(personnel_number="7001")
        use_directory(settings, directory.uri)

        context = browser.new_context(
            viewport=VIEWPORT, locale="ru-RU", timezone_id="Europe/Moscow", base_url=live_server.url
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()

        _log_in(page, "stranger")
        alert = page.locator("[role=alert]")
        alert.wait_for()
        assert "нет вашей карточки сотрудника" in alert.inner_text()
        assert "корпоративные логин и пароль" in page.inner_text("main").lower()
        shots(page, "login-directory-no-employee")

        _log_in(page, "a.kuznetsov")
        page.wait_for_url(f"{live_server.url}/")
        assert "Кузнецов" in page.inner_text("header")
        assert User.objects.get(pk=org.employee.user_id).has_usable_password() is False
        context.close()
