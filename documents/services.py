"""The only writers of documents: made on approval (or by HR), signed, issued, corrected.

Each service runs in one transaction, locks what it changes, and queues its mail through the outbox. A document
is made in the transaction that approves its request, so an order and its approval commit together, and its
number comes from the register under a lock (documents.numbering). Past 400 lines: every writer of a document
(making, signing with its codes, issuing, correcting) shares the same locks and register helpers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from documents import numbering, rendering
from documents.models import Document, Signature, SignatureCode
from documents.selectors import fetch, signer_role
from hrportal.errors import Conflict, NotAllowed, ValidationFailed
from hrportal.storage import private_storage
from notifications.services import notify
from requests_app import services as request_services
from requests_app.models import CertificateDetails, Request
from staff import access
from staff.models import Employee
from staff.selectors import rate_on

logger = logging.getLogger(__name__)
K = Document.Kind
GENERATED_CERTIFICATES = (CertificateDetails.Type.EMPLOYMENT, CertificateDetails.Type.SALARY)

WRONG_CODE = gettext_noop("The code is wrong.")
NO_CODE = gettext_noop("The code has expired or was not requested: ask for a new one.")
TOO_MANY = gettext_noop("Too many attempts: ask for a new code.")
WRONG_PASSWORD = gettext_noop("The password is wrong.")
ALREADY_SIGNED = gettext_noop("You have already signed this document.")
CANCELLED = gettext_noop("This document has been cancelled.")
NOT_A_SIGNER = gettext_noop("You do not sign this document.")
SIGNED_NO_CHANGE = gettext_noop("A signed document never changes: issue a correction instead.")


def _d(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _money(value: Decimal | None) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") if value is not None else ""


def person(employee: Employee) -> dict[str, str]:
    return {
        "id": employee.pk,
        "name": employee.full_name,
        "personnel_number": employee.personnel_number,
        "department": employee.department.name,
        "position": employee.position.name if employee.position_id else "",
    }


def _head_name(employee: Employee | None) -> str:
    manager = access.manager_of(employee) if employee is not None else None
    return manager.short_name if manager is not None else ""


def document_create(
    *,
    kind: str,
    actor: Any,
    facts: dict[str, Any],
    employees: list[Employee],
    request: Request | None = None,
    date: dt.date | None = None,
    title: str = "",
    upload: Any = None,
    on_paper: bool = False,
) -> Document:
    """Number, render and store a document in the caller's transaction; mail its signers. `upload` is a file HR
    gives (kind `uploaded`); `on_paper` records a paper issue with no file."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_create() must run inside a transaction")
    date = date or timezone.localdate()
    seq, number = numbering.take_number(kind=kind, year=date.year)
    employee = employees[0] if len(employees) == 1 else None
    content = {
        "employer": settings.HRPORTAL["EMPLOYER_NAME"],
        "number": number,
        "date": _d(date),
        "request": request.pk if request is not None else None,
        "head": _head_name(employee),
        **facts,
    }
    if employee is not None:
        content.setdefault("employee", person(employee))
    document = Document(
        kind=kind,
        seq=seq,
        year=date.year,
        number=number,
        date=date,
        employee=employee,
        request=request,
        title=title or str(K(kind).label),
        content=content,
        on_paper=on_paper,
        created_by=actor,
        status=Document.Status.AWAITING if kind in Document.SIGNED_KINDS else Document.Status.ISSUED,
    )
    data = None
    if upload is not None:
        data = upload.read()
    elif not on_paper:
        data = rendering.render_pdf(kind, content)
    if data is not None:
        document.sha256 = rendering.sha256(data)
        name = f"documents/{date.year}/{kind}/{number}_{secrets.token_urlsafe(12)}.pdf"
        document.file.name = private_storage().save(name, ContentFile(data))
    document.save()
    document.employees.set(employees)
    if document.needs_signature:
        notify(event="document_to_sign", obj=document, recipients=employees, context={"document": document})
    logger.info("document %s made: kind=%s number=%s request=%s", document.pk, kind, number, document.request_id)
    return document


# --- made on approval ----------------------------------------------------------------------------------------


def on_request_approved(*, request: Request, actor: Any) -> list[Document]:
    """The documents an approval makes: the order (T-6, T-9), the rate order and supplementary agreement, or
    the employment certificate. Runs inside the approval's transaction (requests_app.signals)."""
    employee = request.employee
    dates = {
        "start": _d(request.start_date),
        "end": _d(request.end_date),
        "calendar_days": (request.end_date - request.start_date).days + 1 if request.start_date else None,
    }
    if request.kind == Request.Kind.LEAVE:
        facts = {**dates, "leave_type": request.leave.leave_type.name_ru, "days_charged": str(request.leave.days)}
        return [document_create(kind=K.LEAVE_ORDER, actor=actor, facts=facts, employees=[employee], request=request)]
    if request.kind == Request.Kind.BUSINESS_TRIP:
        facts = {**dates, "destination": request.trip.destination, "purpose": request.trip.purpose}
        return [document_create(kind=K.TRIP_ORDER, actor=actor, facts=facts, employees=[employee], request=request)]
    if request.kind == Request.Kind.RATE_CHANGE:
        return _rate_documents(request, actor)
    if request.kind == Request.Kind.CERTIFICATE and request.certificate.certificate_type in GENERATED_CERTIFICATES:
        return [_employment_certificate(request, actor)]
    return []


def _rate_documents(request: Request, actor: Any) -> list[Document]:
    details = request.rate_change
    if details.pay_rate_id is not None:
        return []  # a correction of a recorded rate: applied at once, no new terms to agree
    old = rate_on(request.employee, details.effective_date - dt.timedelta(days=1))
    facts = {
        "effective_date": _d(details.effective_date),
        "fte": str(details.fte),
        "salary": _money(details.salary),
        "old_fte": str(old.fte) if old else "",
        "old_salary": _money(old.salary) if old else "",
    }
    employees = [request.employee]
    agreement = document_create(kind=K.RATE_AGREEMENT, actor=actor, facts=facts, employees=employees, request=request)
    facts["agreement_number"] = agreement.number
    order = document_create(kind=K.RATE_ORDER, actor=actor, facts=facts, employees=employees, request=request)
    return [agreement, order]


def _employment_certificate(request: Request, actor: Any) -> Document:
    employee = request.employee
    facts: dict[str, Any] = {"hire_date": _d(employee.hire_date), "copies": request.certificate.copies}
    facts["issued_by"] = getattr(access.employee_of(actor), "short_name", "") or actor.get_username()
    if request.certificate.certificate_type == CertificateDetails.Type.SALARY:  # the salary only when asked
        rate = rate_on(employee, timezone.localdate())
        if rate is not None:
            facts.update(salary=_money(rate.salary), fte=str(rate.fte))
    document = document_create(
        kind=K.EMPLOYMENT_CERTIFICATE, actor=actor, facts=facts, employees=[employee], request=request
    )
    _tell_issued(document, request)
    return document


def _tell_issued(document: Document, request: Request) -> None:
    notify(
        event="certificate_issued",
        obj=document,
        recipients=[request.employee],
        context={"document": document, "request": request, "on_paper": document.on_paper},
    )


@transaction.atomic
def certificate_issue(*, request_id: int, actor: Any, upload: Any = None, on_paper: bool = False) -> Document:
    """HR issues a certificate: approves the request if it still waits (an employment certificate is made by
    the approval itself), or, for a kind the portal cannot produce (2-НДФЛ, a copy of the work record), stores
    the file HR uploads or records that it was handed over on paper. The employee is mailed either way."""
    if not access.is_hr(actor):
        raise NotAllowed("Only HR issues certificates.")
    request = Request.objects.select_for_update(of=("self",)).select_related("employee").get(pk=request_id)
    if request.kind != Request.Kind.CERTIFICATE:
        raise Conflict("This is not a certificate request.")
    if request.status == Request.Status.PENDING:
        request_services.request_approve(request_id=request.pk, actor=actor)
        request.refresh_from_db()
    if request.status != Request.Status.APPROVED:
        raise Conflict("This certificate request is closed.")
    issued = request.documents.exclude(status=Document.Status.CANCELLED).first()
    if issued is not None:
        if upload is None and not on_paper:
            return issued
        raise Conflict("This certificate has already been issued.")
    if upload is None and not on_paper:
        raise ValidationFailed("Upload the certificate or mark it issued on paper.", field="file")
    if upload is not None and not upload.read(5).startswith(b"%PDF-"):
        raise ValidationFailed("The file is not a PDF.", field="file")
    if upload is not None:
        upload.seek(0)
    label = str(CertificateDetails.Type(request.certificate.certificate_type).label)
    document = document_create(
        kind=K.UPLOADED,
        actor=actor,
        facts={"certificate_type": request.certificate.certificate_type},
        employees=[request.employee],
        request=request,
        title=label,
        upload=upload,
        on_paper=upload is None,
    )
    _tell_issued(document, request)
    return document


# --- signing -------------------------------------------------------------------------------------------------


def _code_hash(document_id: int, signer_id: int, code: str) -> str:
    message = f"{document_id}:{signer_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _check_may_sign(user: Any, document: Document) -> Employee:
    """The signer the user is for this document, else 409 (cancelled, already signed) or 403 (not a signer)."""
    me = access.employee_of(user)
    role = signer_role(user, document)
    if document.status == Document.Status.CANCELLED:
        raise Conflict(CANCELLED, ui=(CANCELLED, {}))
    if me is not None and document.signatures.filter(signer=me).exists():
        raise Conflict(ALREADY_SIGNED, ui=(ALREADY_SIGNED, {}))
    if role is None or me is None:
        raise NotAllowed(NOT_A_SIGNER, ui=(NOT_A_SIGNER, {}))
    return me


@transaction.atomic
def signature_code_send(*, document_id: Any, user: Any) -> SignatureCode:
    """Mail the signer a new one-time code (the previous one dies); only its hash is stored."""
    document = fetch(user, document_id, for_update=True)
    me = _check_may_sign(user, document)
    SignatureCode.objects.filter(document=document, signer=me, used_at=None).update(superseded=True)
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = int(settings.HRPORTAL["DOCUMENT_CODE_TTL_SECONDS"])
    row = SignatureCode.objects.create(
        document=document,
        signer=me,
        code_hash=_code_hash(document.pk, me.pk, code),
        expires_at=timezone.now() + dt.timedelta(seconds=ttl),
    )
    notify(
        event="document_code",
        obj=row,
        recipients=[me],
        context={"document": document, "code": code, "minutes": ttl // 60, "path": document.get_absolute_url()},
    )
    return row


def document_sign(
    *, document_id: Any, user: Any, code: str = "", password: str = "", ip: str | None = None, user_agent: str = ""
) -> Signature:
    """Sign with the one-time code (or the password, HRPORTAL["DOCUMENT_SIGN_METHOD"]). A wrong code counts an
    attempt, committed even though the call fails; after the last attempt only a new code signs."""
    outcome = _sign(document_id=document_id, user=user, code=code, password=password, ip=ip, user_agent=user_agent)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@transaction.atomic
def _sign(
    *, document_id: Any, user: Any, code: str, password: str, ip: str | None, user_agent: str
) -> Signature | Exception:
    document = fetch(user, document_id, for_update=True)
    me = _check_may_sign(user, document)
    if settings.HRPORTAL["DOCUMENT_SIGN_METHOD"] == "password":
        if not password or not user.check_password(password):
            return ValidationFailed(WRONG_PASSWORD, field="password", ui=(WRONG_PASSWORD, {}))
        method = Signature.Method.PASSWORD
    else:
        code = (code or "").strip()
        if not code:
            return ValidationFailed("This field is required.", field="code")
        row = (
            SignatureCode.objects.select_for_update()
            .filter(document=document, signer=me, used_at=None, superseded=False)
            .first()
        )
        if row is None or row.expires_at <= timezone.now():
            return ValidationFailed(NO_CODE, field="code", ui=(NO_CODE, {}))
        if row.attempts >= int(settings.HRPORTAL["DOCUMENT_CODE_MAX_ATTEMPTS"]):
            return ValidationFailed(TOO_MANY, field="code", ui=(TOO_MANY, {}))
        if not hmac.compare_digest(row.code_hash, _code_hash(document.pk, me.pk, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            return ValidationFailed(WRONG_CODE, field="code", ui=(WRONG_CODE, {}))
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        method = Signature.Method.CODE
    return _record_signature(document, me, user, method=method, ip=ip, user_agent=user_agent)


def _record_signature(
    document: Document, signer: Employee, recorded_by: Any, *, method: str, ip: str | None, user_agent: str
) -> Signature:
    signature = Signature.objects.create(
        document=document,
        signer=signer,
        signed_at=timezone.now(),
        document_sha256=document.sha256,
        method=method,
        ip=ip or None,
        user_agent=(user_agent or "")[:500],
        recorded_by=recorded_by,
    )
    _stamp(document)
    if document.kind == K.RATE_AGREEMENT and signer.pk == document.employee_id and document.request_id:
        request_services.rate_change_apply(request_id=document.request_id, actor=recorded_by)  # art. 72
    return signature


def _stamp(document: Document) -> None:
    """Render the signed copy: the same facts with a stamp per signature; the original file and hash stay."""
    signers = set(document.employees.values_list("pk", flat=True))
    signatures = list(document.signatures.select_related("signer"))
    stamps = [
        {
            "signer": s.signer.full_name,
            "signed_at": f"{timezone.localtime(s.signed_at):%d.%m.%Y %H:%M:%S %Z}",
            "method": s.get_method_display(),
            "sha256": s.document_sha256,
            "ip": s.ip or "",
            "user_agent": s.user_agent,
        }
        for s in signatures
    ]
    if document.file and document.kind in rendering.TEMPLATES:
        data = rendering.render_pdf(document.kind, document.content, stamps=stamps)
        name = document.file.name.removesuffix(".pdf") + "_signed.pdf"
        if document.signed_file:
            private_storage().delete(document.signed_file.name)
        document.signed_file.name = private_storage().save(name, ContentFile(data))
    if signers <= {s.signer_id for s in signatures}:
        document.status = Document.Status.SIGNED
    document.save(update_fields=["signed_file", "status"])


@transaction.atomic
def signature_record_paper(*, document_id: Any, actor: Any) -> Signature:
    """HR records that the employee signed the paper copy (art. 72: a rate change then takes effect)."""
    if not access.is_hr(actor):
        raise NotAllowed("Only HR records a paper signature.")
    document = fetch(actor, document_id, for_update=True)
    if document.status == Document.Status.CANCELLED:
        raise Conflict(CANCELLED, ui=(CANCELLED, {}))
    if document.employee is None or document.signatures.filter(signer=document.employee).exists():
        raise Conflict(ALREADY_SIGNED, ui=(ALREADY_SIGNED, {}))
    return _record_signature(document, document.employee, actor, method=Signature.Method.PAPER, ip=None, user_agent="")


@transaction.atomic
def signature_remind(*, document_id: Any, actor: Any) -> int:
    """HR reminds the employees who have not signed (one mail per person and day)."""
    if not access.is_hr(actor):
        raise NotAllowed("Only HR sends reminders.")
    document = fetch(actor, document_id)
    if document.status != Document.Status.AWAITING:
        raise Conflict("Nobody has to sign this document now.")
    signed = document.signatures.values_list("signer_id", flat=True)
    waiting = list(document.employees.exclude(pk__in=signed))
    notify(
        event="document_to_sign",
        obj=document,
        recipients=waiting,
        context={"document": document, "reminder": True},
        occasion=str(timezone.localdate()),
    )
    return len(waiting)


# --- corrections ---------------------------------------------------------------------------------------------


@transaction.atomic
def document_regenerate(*, document_id: Any, actor: Any) -> Document:
    """Re-render an unsigned document from its facts (a template fix). A signed one never changes: 409."""
    if not access.is_hr(actor):
        raise NotAllowed("Only HR changes documents.")
    document = fetch(actor, document_id, for_update=True)
    if document.signatures.exists():
        raise Conflict(SIGNED_NO_CHANGE, ui=(SIGNED_NO_CHANGE, {}))
    if document.kind not in rendering.TEMPLATES or not document.file:
        raise Conflict("This document has no template to render.")
    data = rendering.render_pdf(document.kind, document.content)
    old = document.file.name
    document.file.name = private_storage().save(old, ContentFile(data))
    document.sha256 = rendering.sha256(data)
    document.save(update_fields=["file", "sha256"])
    return document


@transaction.atomic
def document_correct(*, document_id: Any, actor: Any, facts: dict[str, Any] | None = None) -> Document:
    """A correction: a new document (next number) with the corrected facts, which cancels the old one."""
    if not access.is_hr(actor):
        raise NotAllowed("Only HR corrects documents.")
    old = fetch(actor, document_id, for_update=True)
    if old.status == Document.Status.CANCELLED:
        raise Conflict(CANCELLED, ui=(CANCELLED, {}))
    if old.kind not in rendering.TEMPLATES:
        raise Conflict("Upload a new file to replace this document.")
    keep = {k: v for k, v in old.content.items() if k not in ("number", "date", "employer", "head")}
    new = document_create(
        kind=old.kind,
        actor=actor,
        facts={**keep, **(facts or {}), "replaces": f"{old.number} от {old.date:%d.%m.%Y}"},
        employees=list(old.employees.all()),
        request=old.request,
        title=old.title,
    )
    Document.objects.filter(pk=old.pk).update(status=Document.Status.CANCELLED, cancelled_by=new)
    return new


@transaction.atomic
def leave_order_group(*, request_ids: list[int], actor: Any) -> Document:
    """A T-6a order for several employees' approved leave (HR, from the admin)."""
    if not access.is_hr(actor):
        raise NotAllowed("Only HR makes orders.")
    requests = list(
        Request.objects.filter(pk__in=request_ids, kind=Request.Kind.LEAVE, status=Request.Status.APPROVED)
        .select_related("employee__department", "employee__position", "leave__leave_type")
        .order_by("employee__last_name", "start_date")
    )
    if len(requests) < 2:
        raise ValidationFailed("Choose at least two approved leave requests.", field="requests")
    rows = [
        {
            "employee": person(r.employee),
            "leave_type": r.leave.leave_type.name_ru,
            "calendar_days": (r.end_date - r.start_date).days + 1,
            "start": _d(r.start_date),
            "end": _d(r.end_date),
            "request": r.pk,
        }
        for r in requests
    ]
    employees = list({r.employee.pk: r.employee for r in requests}.values())
    return document_create(kind=K.LEAVE_ORDER, actor=actor, facts={"rows": rows}, employees=employees)
