"""Reads of documents: what a user may see, who signs, what HR must do (certificates due, signatures awaited).

Who sees a document: the employees it is about, HR, and — for orders about absences (leave, trips, the art. 123
notice) — their managers as staff.access says (their subtree, override reports, deputies). Documents about pay
(the rate order and agreement, certificates, uploaded files such as 2-НДФЛ) follow the pay rule instead
(staff.access.can_see_salary: the employee and HR). Anyone else gets a 404, as for a document that does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from documents.models import Document, Signature
from hrportal.errors import NotFound
from leave.selectors import production_calendar
from requests_app.models import Request
from staff import access

MANAGERS_SEE = (Document.Kind.LEAVE_ORDER, Document.Kind.TRIP_ORDER, Document.Kind.LEAVE_NOTICE)


def visible(user: Any) -> QuerySet[Document]:
    base = Document.objects.select_related("employee", "request")
    if not access.is_active_user(user):
        return base.none()
    if access.is_hr(user):
        return base.all()
    me = access.employee_of(user)
    if me is None:
        return base.none()
    through = Document.employees.through.objects
    own = through.filter(employee=me).values("document_id")
    managed = through.filter(access.managed_employee_ids_q(user, prefix="employee")).values("document_id")
    return base.filter(Q(pk__in=own) | (Q(pk__in=managed) & Q(kind__in=MANAGERS_SEE)))


def fetch(user: Any, document_id: Any, *, for_update: bool = False) -> Document:
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise NotFound("Document not found.") from None
    qs = visible(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except Document.DoesNotExist:
        raise NotFound("Document not found.") from None


def signer_role(user: Any, document: Document) -> str | None:
    """`employee` when the user is among the employees a signed kind is about and has not signed yet; else
    None. (The employer signs with a qualified signature outside the portal: docs/decisions.)"""
    if not document.needs_signature or document.status != Document.Status.AWAITING:
        return None
    me = access.employee_of(user)
    if me is None or not document.employees.filter(pk=me.pk).exists():
        return None
    if document.signatures.filter(signer=me).exists():
        return None
    return "employee"


def awaiting_signature(user: Any) -> QuerySet[Document]:
    """Documents the user still has to sign."""
    me = access.employee_of(user)
    if me is None:
        return Document.objects.none()
    signed = Signature.objects.filter(document=OuterRef("pk"), signer=me)
    return (
        Document.objects.filter(status=Document.Status.AWAITING, employees=me, on_paper=False)
        .filter(~Exists(signed))
        .order_by("date", "pk")
    )


def unsigned() -> QuerySet[Document]:
    """Every document still awaiting a signature (HR's list), oldest first."""
    return (
        Document.objects.filter(status=Document.Status.AWAITING)
        .select_related("employee", "employee__department")
        .prefetch_related("employees", "signatures")
        .order_by("date", "pk")
    )


@dataclass(frozen=True)
class Due:
    request: Request
    filed: dt.date
    due: dt.date
    age_working_days: int
    overdue: bool


def certificates_due(*, today: dt.date | None = None) -> list[Due]:
    """Certificate requests HR has not issued yet — waiting for HR, or approved with no document — with the
    working days since filing and the art. 62 deadline (filing day + HRPORTAL["CERTIFICATE_SLA_WORKING_DAYS"]
    working days of the production calendar), oldest first."""
    today = today or timezone.localdate()
    issued = Document.objects.filter(request=OuterRef("pk")).exclude(status=Document.Status.CANCELLED)
    rows = list(
        Request.objects.filter(kind=Request.Kind.CERTIFICATE)
        .filter(Q(status=Request.Status.PENDING, stage=Request.Stage.HR) | Q(status=Request.Status.APPROVED))
        .filter(~Exists(issued))
        .select_related("employee", "employee__department", "certificate")
        .order_by("created_at", "pk")
    )
    if not rows:
        return []
    first = min(timezone.localdate(r.created_at) for r in rows)
    calendar = production_calendar(start=first, end=today + dt.timedelta(days=40))
    sla = int(settings.HRPORTAL["CERTIFICATE_SLA_WORKING_DAYS"])
    out = []
    for request in rows:
        filed = timezone.localdate(request.created_at)
        due, counted = filed, 0
        while counted < sla:
            due += dt.timedelta(days=1)
            counted += calendar.is_working_day(due)
        age = calendar.working_days(filed + dt.timedelta(days=1), today) if today > filed else 0
        out.append(Due(request=request, filed=filed, due=due, age_working_days=age, overdue=today > due))
    return out
