"""`seed_documents [--date YYYY-MM-DD] [--seed S]`: the HR documents of the demo company's approved requests, in bulk.

seed_demo (staff) calls it by name after the requests: every approved request that has no document yet gets
what its approval makes (documents.services.on_request_approved) — the leave order (T-6), the business trip order
(T-9), the supplementary agreement and the rate order, the employment certificate — numbered in each kind's
register of the year in the order of approval (the registers continue after them), dated on the approval day.
Orders older than a week are signed by the employee (a password signature a day or three after the
order) but for a few; newer ones and the rate documents await the signature; certificates are issued. The seed
renders no PDF (a quarter of a million PDFs would take hours): the documents have no file, and their SHA-256 is
that of their facts. Written with COPY on PostgreSQL (staff.demo.bulk); deterministic for a seed and a date; a
second run adds nothing (only requests without a document get one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from tqdm import tqdm

from documents.models import Document, DocumentRegister, Signature
from documents.numbering import SUFFIXES
from documents.services import GENERATED_CERTIFICATES
from requests_app.models import Request
from staff.demo.bulk import insert_rows, next_ids, reset_sequence
from staff.demo.command import SeedCommand
from staff.models import HR_GROUP, Employee
from staff.selectors import manager_ids_of_rows

K = Document.Kind
SIGNED_AFTER_DAYS = 7
SIGNED_SHARE = 0.97  # the rest never signed in the portal: HR's desk lists them
COLUMNS = (
    "pk", "kind", "employee_id", "start_date", "end_date", "decided_at", "leave__leave_type__name_ru", "leave__days",
    "trip__destination", "trip__purpose", "certificate__certificate_type", "certificate__copies",
    "rate_change__effective_date", "rate_change__fte", "rate_change__salary", "rate_change__pay_rate_id",
)  # fmt: skip


def _d(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _money(value: Any) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") if value is not None else ""


class Command(SeedCommand):
    help = "The documents of the demo company's approved requests, in bulk (only requests without one)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = self.seed_date(options)
        hr_user = get_user_model().objects.filter(groups__name=HR_GROUP, is_active=True).order_by("pk").first()
        if hr_user is None:
            self.stdout.write("No HR user: no documents.")
            return
        requests = list(
            Request.objects.filter(status=Request.Status.APPROVED, decided_at__isnull=False)
            .filter(
                Q(kind__in=[Request.Kind.LEAVE, Request.Kind.BUSINESS_TRIP])
                | Q(kind=Request.Kind.RATE_CHANGE, rate_change__pay_rate__isnull=True)
                | Q(kind=Request.Kind.CERTIFICATE, certificate__certificate_type__in=GENERATED_CERTIFICATES)
            )
            .filter(~Exists(Document.objects.filter(request=OuterRef("pk"))))
            .order_by("decided_at", "pk")
            .values_list(*COLUMNS)
        )
        if not requests:
            self.stdout.write("Every approved request has its documents: nothing added.")
            return
        with transaction.atomic():
            counts = self._write(requests, today, hr_user.pk, options)
        self.stdout.write(
            self.style.SUCCESS(
                f"Documents: {counts['documents']} for {len(requests)} approved requests, "
                f"{counts['signatures']} signed, {counts['awaiting']} awaiting a signature."
            )
        )

    def _write(self, requests: list[tuple[Any, ...]], today: dt.date, hr_user: int, options: dict[str, Any]) -> Any:
        employee_ids = {row[2] for row in requests}
        people = {
            pk: rest
            for pk, *rest in Employee.objects.filter(pk__in=employee_ids).values_list(
                "pk", "last_name", "first_name", "patronymic", "personnel_number", "department__name",
                "position__name", "hire_date", "manager_override_id", "department__path", "user_id",
            )
        }  # fmt: skip
        managers = manager_ids_of_rows((pk, p[7], p[8]) for pk, p in people.items())
        heads = {
            pk: f"{last} {''.join(f'{n[0]}.' for n in (first, patronymic) if n)}".strip()
            for pk, last, first, patronymic in Employee.objects.filter(
                pk__in={m for m in managers.values() if m}
            ).values_list("pk", "last_name", "first_name", "patronymic")
        }  # fmt: skip
        registers = {(r.kind, r.year): r.last_number for r in DocumentRegister.objects.all()}
        seq_of: dict[tuple[str, int], int] = defaultdict(int, registers)
        next_id = next_ids([Document])
        employer = settings.HRPORTAL["EMPLOYER_NAME"]
        documents: list[dict[str, Any]] = []
        through: list[dict[str, Any]] = []
        signatures: list[dict[str, Any]] = []
        bar = tqdm(total=len(requests), unit="requests", desc="documents", file=sys.stderr, leave=False,
                   disable=options["verbosity"] < 1)  # fmt: skip
        for row in requests:
            (rid, kind, employee_id, start, end, decided_at, leave_type, days, destination, purpose,
             certificate_type, copies, effective, fte, salary, pay_rate_id) = row  # fmt: skip
            bar.update(1)
            last, first, patronymic, number, department, position, hire_date, _o, _p, user_id = people[employee_id]
            dates = {"start": _d(start), "end": _d(end),
                     "calendar_days": (end - start).days + 1 if start and end else None}  # fmt: skip
            made: list[tuple[str, dict[str, Any]]] = []
            if kind == Request.Kind.LEAVE:
                made.append((K.LEAVE_ORDER, {**dates, "leave_type": leave_type, "days_charged": str(days)}))
            elif kind == Request.Kind.BUSINESS_TRIP:
                made.append((K.TRIP_ORDER, {**dates, "destination": destination, "purpose": purpose}))
            elif kind == Request.Kind.RATE_CHANGE and pay_rate_id is None:
                facts = {"effective_date": _d(effective), "fte": str(fte), "salary": _money(salary),
                         "old_fte": "", "old_salary": ""}  # fmt: skip
                made += [(K.RATE_AGREEMENT, facts), (K.RATE_ORDER, facts)]
            elif kind == Request.Kind.CERTIFICATE and certificate_type in GENERATED_CERTIFICATES:
                made.append((K.EMPLOYMENT_CERTIFICATE, {"hire_date": _d(hire_date), "copies": copies,
                                                         "issued_by": "hr"}))  # fmt: skip
            date = timezone.localdate(decided_at)
            rng = random.Random(f"{options['seed']}:documents:{rid}")
            for doc_kind, facts in made:
                seq_of[(doc_kind, date.year)] += 1
                seq = seq_of[(doc_kind, date.year)]
                printed = f"{seq}-{SUFFIXES[doc_kind]}"
                content = {"employer": employer, "number": printed, "date": _d(date), "request": rid,
                           "head": heads.get(managers.get(employee_id) or 0, ""), **facts,
                           "employee": {"id": employee_id, "name": " ".join(p for p in (last, first, patronymic) if p),
                                        "personnel_number": number, "department": department,
                                        "position": position or ""}}  # fmt: skip
                if doc_kind == K.RATE_ORDER:
                    content["agreement_number"] = (
                        f"{seq_of[(K.RATE_AGREEMENT, date.year)]}-{SUFFIXES[K.RATE_AGREEMENT]}"
                    )
                sha = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
                pk = next_id[Document]
                next_id[Document] += 1
                signs = (
                    doc_kind in (K.LEAVE_ORDER, K.TRIP_ORDER)
                    and date < today - dt.timedelta(SIGNED_AFTER_DAYS)
                    and rng.random() < SIGNED_SHARE
                )
                if doc_kind not in Document.SIGNED_KINDS:
                    status = Document.Status.ISSUED
                elif signs:
                    status = Document.Status.SIGNED
                    signed_at = decided_at + dt.timedelta(hours=rng.randint(1, 72))
                    signatures.append({"document_id": pk, "signer_id": employee_id, "signed_at": signed_at,
                                       "document_sha256": sha, "method": Signature.Method.PASSWORD, "ip": None,
                                       "user_agent": "", "recorded_by_id": user_id})  # fmt: skip
                else:
                    status = Document.Status.AWAITING
                documents.append({"id": pk, "kind": doc_kind, "seq": seq, "year": date.year, "number": printed,
                                  "date": date, "employee_id": employee_id, "request_id": rid,
                                  "title": str(K(doc_kind).label), "content": content, "file": "", "sha256": sha,
                                  "on_paper": False, "signed_file": "", "status": status, "cancelled_by_id": None,
                                  "created_by_id": hr_user, "created_at": decided_at})  # fmt: skip
                through.append({"document_id": pk, "employee_id": employee_id})
        bar.close()
        insert_rows(Document, documents)
        insert_rows(Document.employees.through, through)
        insert_rows(Signature, signatures)
        reset_sequence(Document, next_id[Document] - 1)
        for (kind, year), last_number in seq_of.items():
            if registers.get((kind, year)) != last_number:
                DocumentRegister.objects.update_or_create(kind=kind, year=year, defaults={"last_number": last_number})
        return {
            "documents": len(documents),
            "signatures": len(signatures),
            "awaiting": sum(1 for d in documents if d["status"] == Document.Status.AWAITING),
        }
