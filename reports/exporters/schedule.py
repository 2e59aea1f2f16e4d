"""The leave schedule of a year (the period's year: date_from's) as two reports.

- `schedule_t7`: form T-7 (Goskomstat Resolution No. 1 of 5 January 2004), one line per part: department,
  position, full name, personnel number, days, planned date (as approved; the current dates before the
  approval), actual date (the start of the approved leave request made from the part), and the transfer: the
  reason and the new date of the last consented move after the approval.
- `schedule_actual`: planned against actual for each part — planned and current dates, the leave request's state
  and dates, the number of moves and every move with its reason (one line per move, the part's columns repeated,
  as the register of requests does).

Both stream `values_list` rows from a server-side cursor (constant memory, `bench/export.py`'s pipeline); the
employee scope is `base.scope_q` (HR everyone, a manager their subtree).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from reports import conf
from reports.exporters.base import ReportParams, full_name, local_naive, scope_q
from reports.xlsx import DATE, DATETIME, Report
from requests_app.models import Request
from schedule.models import Change, Part

# The date columns (the writer fits the widths to the contents).
T7_FORMATS = (None, None, None, None, None, DATE, DATE, None, DATE, None)
ACTUAL_FORMATS = (None, None, None, DATE, DATE, DATE, DATE, None, DATE, DATE, None, DATETIME, DATE, DATE, None)


def parts(params: ReportParams) -> QuerySet[Part]:
    return Part.objects.filter(scope_q(params), campaign__year=params.date_from.year)


def _last_move(field: str) -> Subquery:
    moves = Change.objects.filter(part=OuterRef("pk"), status=Change.Status.APPLIED, after_approval=True)
    return Subquery(moves.order_by("-decided_at", "-pk").values(field)[:1])


T7_FIELDS = (
    "employee__department__name",
    "employee__position__name",
    "employee__last_name",
    "employee__first_name",
    "employee__patronymic",
    "employee__personnel_number",
    "days",
    "planned_start",
    "start_date",
    "request__status",
    "request__start_date",
    "move_reason",
    "move_start",
    "comment",
)
ORDER = ("employee__department__name", "employee__last_name", "employee__first_name", "employee__pk", "start_date")


def build_t7(params: ReportParams) -> Report:
    qs = parts(params)
    return Report(
        kind="schedule_t7",
        title=_("Leave schedule %(year)s (T-7)") % {"year": params.date_from.year},
        header=[
            _("Department"),
            _("Position"),
            _("Full name"),
            _("Personnel number"),
            _("Days"),
            _("Planned date"),
            _("Actual date"),
            _("Transfer: reason"),
            _("Transfer: expected date"),
            _("Note"),
        ],
        rows=_t7_rows(qs),
        total=qs.count(),
        formats=T7_FORMATS,
    )


def _t7_rows(qs: QuerySet[Part]) -> Iterator[Sequence[Any]]:
    stream = (
        qs.annotate(move_reason=_last_move("reason"), move_start=_last_move("new_start"))
        .order_by(*ORDER)
        .values_list(*T7_FIELDS)
        .iterator(chunk_size=conf.chunk_size())
    )
    for (
        department,
        position,
        last,
        first,
        patronymic,
        number,
        days,
        planned,
        start,
        request_status,
        request_start,
        move_reason,
        move_start,
        comment,
    ) in stream:
        yield (
            department,
            position or "",
            full_name(last, first, patronymic),
            number,
            days,
            planned or start,
            request_start if request_status == Request.Status.APPROVED else None,
            move_reason or "",
            move_start,
            comment or "",
        )


ACTUAL_FIELDS = (
    "employee__department__name",
    "employee__last_name",
    "employee__first_name",
    "employee__patronymic",
    "employee__personnel_number",
    "planned_start",
    "planned_end",
    "start_date",
    "end_date",
    "request__status",
    "request__start_date",
    "request__end_date",
    "moves",
    "changes__proposed_at",
    "changes__old_start",
    "changes__new_start",
    "changes__reason",
)


def build_actual(params: ReportParams) -> Report:
    qs = parts(params)
    applied = Q(changes__status=Change.Status.APPLIED)
    total = qs.filter(applied).count() + qs.exclude(changes__status=Change.Status.APPLIED).count()
    return Report(
        kind="schedule_actual",
        title=_("Schedule vs actual %(year)s") % {"year": params.date_from.year},
        header=[
            _("Department"),
            _("Full name"),
            _("Personnel number"),
            _("Planned from"),
            _("Planned to"),
            _("Scheduled from"),
            _("Scheduled to"),
            _("Leave request"),
            _("Actual from"),
            _("Actual to"),
            _("Moves"),
            _("Move at"),
            _("Moved from"),
            _("Moved to"),
            _("Reason"),
        ],
        rows=_actual_rows(qs),
        total=total,
        formats=ACTUAL_FORMATS,
    )


def _actual_rows(qs: QuerySet[Part]) -> Iterator[Sequence[Any]]:
    statuses = {k: str(v) for k, v in Request.Status.choices}
    moves = Count("changes", filter=Q(changes__status=Change.Status.APPLIED), distinct=True)
    # One line per applied move (a part never moved gets one line of its own).
    lines = qs.annotate(moves=moves).filter(
        Q(changes__status=Change.Status.APPLIED) | ~Q(pk__in=Change.objects.filter(status="applied").values("part"))
    )
    stream = (
        lines.order_by(*ORDER, "changes__proposed_at", "changes__pk")
        .values_list(*ACTUAL_FIELDS)
        .iterator(chunk_size=conf.chunk_size())
    )
    for (
        department,
        last,
        first,
        patronymic,
        number,
        planned_start,
        planned_end,
        start,
        end,
        request_status,
        request_start,
        request_end,
        count,
        moved_at,
        old_start,
        new_start,
        reason,
    ) in stream:
        taken = request_status == Request.Status.APPROVED
        yield (
            department,
            full_name(last, first, patronymic),
            number,
            planned_start,
            planned_end,
            start,
            end,
            statuses.get(request_status, "") if request_status else "",
            request_start if taken else None,
            request_end if taken else None,
            count,
            local_naive(moved_at),
            old_start,
            new_start,
            reason or "",
        )
