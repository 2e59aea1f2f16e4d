"""Issue 21's import acceptance in a real browser: HR uploads a small XLSX of employees in the admin, the Celery
worker (a real one, Redis broker, sharing the test database) checks it, the preview lists every row as new, HR
confirms and the rows are there; the same file again changes nothing; a file with bad rows lists every error and
cannot be confirmed, and nothing of it is written.

Screenshots: HRPORTAL_SCREENSHOTS=docs/screenshots rewrites the README's picture of the preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from conftest import PASSWORD, Cast
from tests.browser.test_flows import (  # noqa: F401  (fixtures)
    CHROMIUM,
    TIMEOUT_MS,
    VIEWPORT,
    browser,
    org,
    running,
    shots,
)
from tests.harness.broker import broker_url  # noqa: F401  (a fixture)
from tests.harness.marks import requires_postgres, requires_redis_broker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    requires_postgres,
    requires_redis_broker,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt)"),
]

HEADER = ["personnel_number", "last_name", "first_name", "middle_name", "email", "department", "position",
          "manager", "hire_date", "fte", "salary"]  # fmt: skip


def xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def admin_session(chromium: Any, base_url: str, username: str) -> Any:
    context = chromium.new_context(viewport=VIEWPORT, locale="ru-RU", timezone_id="Europe/Moscow", base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base_url}/admin/")
    return page


def upload(page: Any, path: Path) -> int:
    page.goto("/admin/staff/employee/")
    page.click("a[href$='/admin/staff/importjob/add/?kind=employees']")
    assert page.input_value("#id_kind") == "employees"
    page.set_input_files("#id_file", str(path))
    page.click("#import-upload input[type=submit]")
    page.wait_for_url("**/admin/staff/importjob/*/change/")
    page.wait_for_selector("#import-counts")  # the page reloads itself until the worker has checked the file
    return int(page.url.rstrip("/").split("/")[-2])


def test_hr_imports_employees_from_xlsx(
    org: Cast,  # noqa: F811  (the fixtures imported from test_flows)
    live_server: Any,
    running: Any,  # noqa: F811
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from staff.imports.models import ImportJob
    from staff.models import Employee, PayRate, Position
    from staff.services import hr_group_ensure

    Position.objects.create(name="Кассир")
    org.hr.user.is_staff = True
    org.hr.user.save()
    org.hr.user.groups.add(hr_group_ensure())
    rows = [
        ["B001", "Белова", "Ольга", "Андреевна", "o.belova@example.ru", "Компания/Продажи", "Кассир", "B002",
         "2024-04-01", 1, 80000],
        ["B002", "Громов", "Павел", None, "p.gromov@example.ru", "Компания/Продажи", None, None, "15.01.2022",
         1, 150000],
        ["B003", "Демина", "Юлия", None, "y.demina@example.ru", "Компания/Разработка", None, None, "2023-06-19",
         0.5, 60000],
    ]  # fmt: skip
    good = xlsx(tmp_path / "сотрудники.xlsx", rows)
    page = admin_session(browser, live_server.url, "hr")

    # 1. Upload, preview: every row new, nothing written yet; confirm; the rows are there.
    job_id = upload(page, good)
    assert page.locator("#import-rows tbody tr.import-new").count() == 3
    assert "Белова Ольга Андреевна" in page.inner_text("#import-rows")
    assert not Employee.objects.filter(personnel_number__startswith="B00").exists()
    shots(page, "18-admin-import-preview")
    page.click("#import-confirm")
    page.wait_for_selector("#import-status")
    page.wait_for_function("() => !document.querySelector('#import-progress')", timeout=TIMEOUT_MS)
    assert ImportJob.objects.get(pk=job_id).status == ImportJob.Status.DONE
    page.goto("/admin/staff/employee/?q=B00")
    assert page.locator("#result_list tbody tr").count() == 3
    belova = Employee.objects.get(personnel_number="B001")
    assert belova.manager_override.personnel_number == "B002"
    assert belova.history.latest().history_change_reason == "import: сотрудники.xlsx"
    before = (Employee.history.count(), PayRate.history.count(), Employee.objects.count())

    # 2. The same file again: every row "no change", and confirming it writes nothing.
    upload(page, good)
    assert page.locator("#import-rows tbody tr.import-skip").count() == 3
    page.click("#import-confirm")
    page.wait_for_function("() => !document.querySelector('#import-progress')", timeout=TIMEOUT_MS)
    assert (Employee.history.count(), PayRate.history.count(), Employee.objects.count()) == before

    # 3. Bad rows: every error listed with its line, no confirm button, nothing written.
    bad = xlsx(tmp_path / "ошибки.xlsx", [
        ["B010", "Жуков", "Иван", None, "ivan@example.ru", "Компания/Продажи", None, None, "2024-01-10", 1, 90000],
        ["B011", "Зайцева", None, None, "нет почты", "Компания/Нет такого", None, "B999", "2024-01-10", 1, 90000],
        ["B012", "Исаев", "Олег", None, "o@example.ru", "Компания/Продажи", None, None, "2024-01-10", 1, 1000],
    ])  # fmt: skip
    upload(page, bad)
    errors = page.locator("#import-errors li")
    texts = [errors.nth(i).inner_text() for i in range(errors.count())]
    assert len(texts) == 5
    assert sum("(B011)" in t for t in texts) == 4 and sum("(B012)" in t for t in texts) == 1
    assert page.locator("#import-confirm").count() == 0
    assert not Employee.objects.filter(personnel_number__in=["B010", "B011", "B012"]).exists()
