"""The admin's "Export selected to Excel" action: the selection, as text where it looks like a formula."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from staff.models import Position
from staff.services import hr_group_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_admin(cast) -> Client:
    user = cast.hr.user
    user.is_staff = True
    user.save()
    user.groups.add(hr_group_ensure())
    client = Client()
    client.force_login(user)
    return client


def test_export_selected_positions_to_excel(hr_admin) -> None:
    safe = Position.objects.create(name="Бухгалтер")
    risky = Position.objects.create(name='=HYPERLINK("http://evil")')
    Position.objects.create(name="Not selected")
    response = hr_admin.post(
        "/admin/staff/position/",
        {"action": "export_selected_xlsx", "_selected_action": [safe.pk, risky.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    names = [row[0] for row in rows[1:]]  # no id column: the name comes first
    assert names == ["Бухгалтер", '=HYPERLINK("http://evil")']
    # The formula-like name is a text cell, never a formula.
    cell = sheet.cell(row=3, column=1)
    assert cell.data_type == "s"


def test_a_non_hr_staff_user_exports_nothing(cast) -> None:
    user = cast.manager.user
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    position = Position.objects.create(name="X")
    response = client.post(
        "/admin/staff/position/", {"action": "export_selected_xlsx", "_selected_action": [position.pk]}
    )
    assert response.status_code in (302, 403)
    assert not response.get("Content-Type", "").startswith("application/vnd.openxmlformats")


def test_an_employee_export_leaves_out_the_search_column(cast, hr_admin) -> None:
    """`Employee.search_text` is the database's own copy of five fields for the search: not a column for HR."""
    response = hr_admin.post(
        "/admin/staff/employee/", {"action": "export_selected_xlsx", "_selected_action": [cast.employee.pk]}
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert "Кузнецов" in rows[1] and len(rows) == 2
    assert not any(isinstance(v, str) and "КУЗНЕЦОВ" in v for v in rows[1])
    assert not any("search" in str(h).lower() for h in rows[0])
