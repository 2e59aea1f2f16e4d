"""seed_demo's later seeds (issue 20): payroll accruals, next year's leave schedule and the documents of the
approved requests, written in bulk for the whole demo company, the way the services would write them; a second
run adds nothing, and `seed_demo --extras-only` tops up an organisation seeded before them."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count

from documents.models import Document, DocumentRegister, Signature
from payroll import kinds
from payroll.models import PayrollAccrual
from requests_app.models import Request
from schedule.models import Campaign, Part, Submission
from staff.models import Employee

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 4)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _counts() -> tuple[int, ...]:
    return (
        PayrollAccrual.objects.count(),
        Part.objects.count(),
        Submission.objects.count(),
        Document.objects.count(),
        Signature.objects.count(),
    )


def test_seed_demo_adds_payroll_a_schedule_and_documents_and_a_second_run_adds_nothing() -> None:
    out = StringIO()
    for year in (2025, 2026, 2027):
        call_command("load_calendar", year=year, stdout=out)
    call_command("seed_demo", employees=60, seed=5, today=TODAY, stdout=out)

    # Payroll: the 13 complete months before today, a salary row per person and month employed, bonuses.
    months = sorted(set(PayrollAccrual.objects.values_list("month", flat=True)))
    assert (months[0], months[-1], len(months)) == (dt.date(2025, 2, 1), dt.date(2026, 2, 1), 13)
    salaries = PayrollAccrual.objects.filter(kind=kinds.SALARY)
    assert not salaries.values("employee", "month").annotate(n=Count("pk")).filter(n__gt=1).exists()
    employee = Employee.objects.get(user__username="employee")
    assert salaries.filter(employee=employee).count() == 13
    assert set(PayrollAccrual.objects.values_list("kind", flat=True)) >= {kinds.SALARY, kinds.BONUS_QUARTER}
    assert all(row.counts == kinds.COUNTS_BY_DEFAULT[row.kind] for row in PayrollAccrual.objects.all())
    quarterly = PayrollAccrual.objects.filter(kind=kinds.BONUS_QUARTER).first()
    assert quarterly.period_start < quarterly.period_end < quarterly.month

    # The schedule: next year's campaign, parts for most people, submissions for some departments.
    campaign = Campaign.objects.get(year=2027)
    assert campaign.status == Campaign.Status.OPEN
    proposers = set(Part.objects.filter(campaign=campaign).values_list("employee_id", flat=True))
    assert 0.5 * Employee.objects.count() < len(proposers) < Employee.objects.count()
    assert all(p.start_date.year == p.end_date.year == 2027 and p.days <= p.calendar_days for p in Part.objects.all())
    assert Submission.objects.filter(campaign=campaign).exists()

    # Documents: one order per approved leave and trip, numbered without gaps per register, most signed.
    approved = Request.objects.filter(status="approved", kind__in=["leave", "business_trip"])
    assert approved.exists()
    assert not approved.exclude(documents__isnull=False).exists()
    for register in DocumentRegister.objects.all():
        seqs = sorted(Document.objects.filter(kind=register.kind, year=register.year).values_list("seq", flat=True))
        assert seqs == list(range(1, register.last_number + 1)), register
    signed = Document.objects.filter(status=Document.Status.SIGNED)
    assert signed.exists() and signed.count() == Signature.objects.filter(document__in=signed).count()
    assert Document.objects.filter(status=Document.Status.AWAITING).exists()
    order = Document.objects.filter(kind="leave_order", employee__isnull=False).first()
    assert list(order.employees.all()) == [order.employee] and order.content["number"] == order.number

    before = _counts()
    again = StringIO()
    call_command("seed_demo", extras_only=True, stdout=again)
    assert _counts() == before
    assert "already present" in again.getvalue() and "nothing added" in again.getvalue()


def test_extras_only_tops_up_an_organisation_seeded_before_them() -> None:
    out = StringIO()
    for year in (2025, 2026, 2027):
        call_command("load_calendar", year=year, stdout=out)
    call_command("seed_demo", employees=40, seed=3, today=TODAY, stdout=out)
    PayrollAccrual.objects.all().delete()
    Signature.objects.all().delete()
    Document.objects.all().delete()
    DocumentRegister.objects.all().delete()
    Campaign.objects.all().delete()
    assert _counts() == (0, 0, 0, 0, 0)

    call_command("seed_demo", extras_only=True, today=TODAY, stdout=out)
    assert all(_counts())


def test_extras_only_needs_the_demo_organisation() -> None:
    with pytest.raises(CommandError, match="extras-only"):
        call_command("seed_demo", extras_only=True, stdout=StringIO())
