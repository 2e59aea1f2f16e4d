"""Rate on a date: examples, the database constraint, and a property test against a naive model."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_department, make_employee
from hrportal.errors import ValidationFailed
from staff.models import PayRate
from staff.selectors import rate_history, rate_on
from staff.services import pay_rate_record

pytestmark = pytest.mark.django_db

HIRE = dt.date(2023, 1, 9)


@pytest.fixture
def person(db):
    return make_employee(username="rated", department=make_department("Отдел"), hire_date=HIRE)


def record(person, day, fte="1.00", salary="100000.00"):
    return pay_rate_record(employee=person, effective_date=day, fte=Decimal(fte), salary=Decimal(salary))


def test_rate_on_follows_changes(person):
    record(person, dt.date(2023, 6, 1), salary="110000.00")
    record(person, dt.date(2024, 3, 1), fte="0.50", salary="120000.00")
    assert rate_on(person, HIRE - dt.timedelta(days=1)) is None
    assert rate_on(person, HIRE).salary == Decimal("100000.00")
    assert rate_on(person, dt.date(2023, 5, 31)).salary == Decimal("100000.00")
    assert rate_on(person, dt.date(2023, 6, 1)).salary == Decimal("110000.00")
    assert rate_on(person, dt.date(2024, 2, 29)).salary == Decimal("110000.00")
    on_change = rate_on(person, dt.date(2024, 3, 1))
    assert (on_change.fte, on_change.salary) == (Decimal("0.50"), Decimal("120000.00"))
    assert rate_on(person.pk, dt.date(2030, 1, 1)).salary == Decimal("120000.00")  # an id works too


def test_a_correction_supersedes_and_keeps_the_old_row(person):
    first = record(person, dt.date(2024, 3, 1), salary="1200000.00")  # a typo
    corrected = record(person, dt.date(2024, 3, 1), salary="120000.00")
    first.refresh_from_db()
    assert first.superseded_at is not None and corrected.superseded_at is None
    assert rate_on(person, dt.date(2024, 3, 1)) == corrected
    assert PayRate.objects.filter(employee=person, effective_date=dt.date(2024, 3, 1)).count() == 2
    assert [r.salary for r in rate_history(person)] == [Decimal("100000.00"), Decimal("120000.00")]


def test_recording_the_same_rate_again_changes_nothing(person):
    again = record(person, HIRE)
    assert PayRate.objects.filter(employee=person).count() == 1
    assert again.superseded_at is None


def test_rate_on_is_one_query(person, django_assert_num_queries):
    record(person, dt.date(2024, 3, 1), salary="120000.00")
    with django_assert_num_queries(1):
        rate_on(person, dt.date(2024, 5, 1))


@pytest.mark.parametrize(
    ("day", "fte", "salary", "field"),
    [
        (HIRE - dt.timedelta(days=1), "1.00", "1.00", "effective_date"),
        (HIRE, "0.00", "1.00", "fte"),
        (HIRE, "1.51", "1.00", "fte"),
        (HIRE, "1.00", "-0.01", "salary"),
    ],
)
def test_bad_rates_are_refused(person, day, fte, salary, field):
    with pytest.raises(ValidationFailed) as caught:
        record(person, day, fte, salary)
    assert field in caught.value.detail


def test_the_database_allows_one_current_row_per_date(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        PayRate.objects.create(employee=person, effective_date=HIRE, fte=Decimal("1"), salary=Decimal("5"))


# --- property: whatever the sequence of changes, rate_on equals a naive reference ---------------

_usernames = (f"prop{n}" for n in itertools.count())
DAY_OFFSETS = st.integers(min_value=0, max_value=60)  # small range: many same-date corrections
CHANGE = st.tuples(
    DAY_OFFSETS,
    st.sampled_from([Decimal("0.25"), Decimal("0.50"), Decimal("0.75"), Decimal("1.00"), Decimal("1.50")]),
    st.integers(min_value=0, max_value=500_000).map(lambda n: Decimal(n).quantize(Decimal("0.01"))),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(CHANGE, min_size=1, max_size=12), probes=st.lists(st.integers(-5, 70), max_size=15))
def test_rate_on_matches_a_naive_reference(db, changes, probes):
    with transaction.atomic():
        person = make_employee(username=next(_usernames), department=make_department("Свойства"), hire_date=HIRE)
        reference: dict[dt.date, tuple[Decimal, Decimal]] = {HIRE: (Decimal("1.00"), Decimal("100000.00"))}
        for offset, fte, salary in changes:
            day = HIRE + dt.timedelta(days=offset)
            pay_rate_record(employee=person, effective_date=day, fte=fte, salary=salary)
            reference[day] = (fte, salary)  # the last word for a date wins
        for offset in [*probes, *(o for o, _f, _s in changes)]:
            day = HIRE + dt.timedelta(days=offset)
            earlier = [d for d in reference if d <= day]
            expected = reference[max(earlier)] if earlier else None
            got = rate_on(person, day)
            assert (None if got is None else (got.fte, got.salary)) == expected, day
        # Exactly one current row per date, whatever was corrected.
        current = PayRate.objects.filter(employee=person, superseded_at__isnull=True)
        assert current.count() == len(reference)
        transaction.set_rollback(True)
