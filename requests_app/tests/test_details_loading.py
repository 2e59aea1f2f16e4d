"""`Request.objects.with_details()`: the rows and each one's detail in one query, read afterwards without a
query, and the other kinds' relations empty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leave.models import LeaveType
from requests_app.models import CertificateDetails, LeaveDetails, Request, TripDetails

pytestmark = pytest.mark.django_db


def _request(cast, kind: str, **dates) -> Request:
    return Request.objects.create(kind=kind, employee=cast.employee, created_by=cast.employee.user, **dates)


@pytest.fixture
def mixed(cast) -> dict[str, Request]:
    days = {"start_date": dt.date(2027, 3, 1), "end_date": dt.date(2027, 3, 5)}
    leave = _request(cast, Request.Kind.LEAVE, **days)
    LeaveDetails.objects.create(request=leave, leave_type=LeaveType.objects.get(code="annual"), days=Decimal("5"))
    trip = _request(cast, Request.Kind.BUSINESS_TRIP, start_date=dt.date(2027, 4, 1), end_date=dt.date(2027, 4, 2))
    TripDetails.objects.create(request=trip, destination="Казань", purpose="Аудит")
    certificate = _request(cast, Request.Kind.CERTIFICATE)
    CertificateDetails.objects.create(request=certificate, certificate_type="employment", copies=2)
    bare = _request(cast, Request.Kind.CERTIFICATE)  # a row whose detail is missing
    return {"leave": leave, "trip": trip, "certificate": certificate, "bare": bare}


def test_details_of_every_kind_in_one_query(mixed) -> None:
    with CaptureQueriesContext(connection) as queries:
        rows = {r.pk: r for r in Request.objects.filter(pk__in=[r.pk for r in mixed.values()]).with_details()}
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        leave, trip = rows[mixed["leave"].pk], rows[mixed["trip"].pk]
        assert leave.leave.leave_type.code == "annual" and leave.leave.days == Decimal("5.00")
        assert leave.leave.request is leave
        assert trip.trip.destination == "Казань"
        assert rows[mixed["certificate"].pk].certificate.copies == 2
        # Relations of another kind (and a missing detail) raise without a query.
        with pytest.raises(Request.leave.RelatedObjectDoesNotExist):
            trip.leave  # noqa: B018
        with pytest.raises(Request.certificate.RelatedObjectDoesNotExist):
            rows[mixed["bare"].pk].certificate  # noqa: B018
        with pytest.raises(Request.rate_change.RelatedObjectDoesNotExist):
            leave.rate_change  # noqa: B018
    assert len(queries) == 0


def test_with_details_survives_chaining_slicing_and_get(mixed) -> None:
    qs = Request.objects.with_details().filter(kind=Request.Kind.CERTIFICATE).order_by("id")
    got = qs.filter(pk=mixed["certificate"].pk).get()
    with CaptureQueriesContext(connection) as queries:
        assert got.certificate.certificate_type == "employment"
    assert len(queries) == 0
    first = qs[:1][0]
    with CaptureQueriesContext(connection) as queries:
        assert first.certificate.copies == 2
    assert len(queries) == 0
    # Without with_details() the relation is read lazily.
    plain = Request.objects.get(pk=mixed["trip"].pk)
    with CaptureQueriesContext(connection) as queries:
        assert plain.trip.purpose == "Аудит"
    assert len(queries) == 1
    assert {row["kind"] for row in Request.objects.with_details().values("kind")} >= {"leave", "business_trip"}
