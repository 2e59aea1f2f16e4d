"""HTML pages of requests: file one (with the live leave quote), follow it, decide it, and the approvals inbox.

Reads go through requests_app.selectors / staff.access (404 for a request the user may not see); writes
through requests_app.services only, each in its own transaction, so a refusal saves nothing and is shown on
the form (ValidationFailed) or as a message (Conflict, NotAllowed).

Past 400 lines: every page of a request (filing by kind, the request page, its actions and the inbox) calls the same
services and policy; the delegation pages are apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrportal.dates import check_absence
from hrportal.errors import ApplicationError, NotFound
from hrportal.pages import CountlessPage, add_service_errors, attempt, page_view, query_without_page, safe_next
from hrportal.ui_errors import error_text
from leave import selectors as leave_selectors
from leave.holiday_names import holiday_name
from leave.models import LeaveType
from requests_app import policy, selectors, services
from requests_app.forms import (
    REQUEST_FORMS,
    BulkDecisionForm,
    CancelForm,
    DecisionForm,
    InboxFilterForm,
    LeaveRequestForm,
    RateChangeForm,
)
from requests_app.models import Request, RequestEvent
from requests_app.workflow import Action
from staff import access
from staff.models import Employee
from staff.selectors import current_rate

PAGE_SIZE = 25
INBOX_PAGE_SIZE = 50

# requests_app.services answers the API too and speaks English; its messages, for the catalogue (the pages
# translate them with hrportal.ui_errors, which also rebuilds the two that carry a number or a status).
SERVICE_MESSAGES = [
    gettext_noop("The end date is before the start date."),
    gettext_noop("This field is required."),
    gettext_noop("You may not propose a rate change for this employee."),
    gettext_noop("effective_date, fte and salary are required."),
    gettext_noop("A manager proposes changes from today on."),
    gettext_noop("A rate cannot start before the hire date."),
    gettext_noop("Only employees file requests for themselves."),
    gettext_noop("You can only file this request for yourself."),
    gettext_noop("These dates overlap another pending or approved absence of this employee."),
    gettext_noop("From 1 to 10 copies."),
    gettext_noop("You cannot approve this request."),
    gettext_noop("You cannot reject this request."),
    gettext_noop("You cannot cancel this request."),
    gettext_noop("You cannot ask to cancel this request."),
    gettext_noop("A correction needs its reason."),
    gettext_noop("Only HR corrects recorded rates."),
    gettext_noop("Unknown employee, or one you may not file for."),
    gettext_noop("You cannot decide on the cancellation of this request."),
]


def with_details(qs: QuerySet[Request]) -> QuerySet[Request]:
    return qs.select_related("employee__department").with_details()


# --- my requests -----------------------------------------------------------------------------------------


@page_view
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "mine")
    if scope == "team" and access.supervises(request.user):
        qs = policy.visible(request.user)
    else:
        scope = "mine"
        qs = policy.own(request.user)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in Request.Status.values:
        qs = qs.filter(status=status)
    if kind in Request.Kind.values:
        qs = qs.filter(kind=kind)
    listed = with_details(qs).order_by("-created_at", "-id")
    if scope == "team":  # a head's team, or HR's company: never counted (the top head's is every request there is)
        page: Any = CountlessPage(listed, PAGE_SIZE, request.GET.get("page"))
    else:
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "scope": scope,
        "status": status,
        "kind": kind,
        "statuses": Request.Status.choices,
        "kinds": Request.Kind.choices,
        "query": query_without_page(request),
    }
    return render(request, "requests_app/request_list.html", context)


# --- new requests ----------------------------------------------------------------------------------------


@page_view
@require_GET
def request_new(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/request_new.html", {})


def _file(request: HttpRequest, form: Any) -> HttpResponse | None:
    """File the request and go to its page; on a refusal put its messages on the form and return None (nothing
    saved)."""
    try:
        created = services.request_create(actor=request.user, **form.service_kwargs())  # atomic itself
    except NotFound:
        raise
    except ApplicationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, _("Request #%(id)s is filed.") % {"id": created.pk})
    return redirect("request-detail", request_id=created.pk)


@page_view
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, kind: str) -> HttpResponse:
    form_class = REQUEST_FORMS.get(kind)
    if form_class is None:
        raise Http404(_("Unknown kind of request."))
    me = access.employee_of(request.user)
    if me is None:
        raise PermissionDenied(_("Only employees file requests."))
    wants_quote = request.POST.get("action") == "quote"
    form = form_class(request.POST or None)
    quote = None
    valid = request.method == "POST" and form.is_valid()
    data = dict(getattr(form, "cleaned_data", {}))  # before a refusal takes its field out of cleaned_data
    if valid and not wants_quote and (filed := _file(request, form)) is not None:
        return filed
    if isinstance(form, LeaveRequestForm) and all(data.get(k) for k in ("leave_type", "start_date", "end_date")):
        quote = quote_context(
            user=request.user,
            employee=me,
            leave_type=data["leave_type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        )
    status = 400 if (request.method == "POST" and form.errors) else 200
    context = {"form": form, "kind": kind, "quote": quote}
    return render(request, f"requests_app/new_{kind}.html", context, status=status)


@page_view
@require_http_methods(["GET", "POST"])
def rate_change_new(request: HttpRequest) -> HttpResponse:
    if not access.supervises(request.user):
        raise PermissionDenied(_("Pay-rate changes are proposed by managers and HR."))
    initial: dict[str, Any] = {"effective_date": timezone.localdate()}
    chosen = None
    if request.GET.get("employee", "").isdigit():
        chosen = access.visible_employees(request.user).filter(pk=int(request.GET["employee"])).first()
        if chosen is not None:
            initial["employee"] = chosen.pk
    form = RateChangeForm(request.POST or None, user=request.user, initial=initial)
    wants_check = request.POST.get("action") == "check"  # "Check": current → new, nothing filed
    valid = request.method == "POST" and form.is_valid()
    data = dict(getattr(form, "cleaned_data", {}))  # before a refusal takes its field out of cleaned_data
    if valid and not wants_check and (filed := _file(request, form)) is not None:
        return filed
    chosen = data.get("employee") or chosen
    sees_pay = chosen is not None and access.can_see_salary(request.user, chosen)
    rate = current_rate(chosen, timezone.localdate()) if sees_pay else None
    comparison = None
    if chosen is not None and all(data.get(k) is not None for k in ("effective_date", "fte", "salary")):
        # The form offers only whom the user may propose for; the current pay only to whoever may see it.
        comparison = selectors.rate_comparison(
            employee=chosen, effective_date=data["effective_date"], fte=data["fte"], salary=data["salary"]
        )
        comparison = comparison if sees_pay else comparison.without_current()
    status = 400 if (request.method == "POST" and form.errors) else 200
    context = {"form": form, "chosen": chosen, "rate": rate, "comparison": comparison}
    return render(request, "requests_app/new_rate_change.html", context, status=status)


# --- the leave quote -------------------------------------------------------------------------------------


def quote_context(
    *, user: Any, employee: Employee, leave_type: LeaveType, start_date: dt.date, end_date: dt.date
) -> dict[str, Any]:
    """What the quote fragment shows; pay only to whoever may see the employee's earnings."""
    include_pay = access.can_see_salary(user, employee)
    try:
        check_absence(start_date, end_date)
        quote = leave_selectors.quote(
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
            include_pay=include_pay,
        )
    except ApplicationError as exc:
        return {"error": error_text(exc)}
    language = translation.get_language() or settings.LANGUAGE_CODE
    holidays = [
        {"date": day, "name": holiday_name(quote.holiday_names.get(day, ""), language)}
        for day in quote.holidays_excluded
    ]
    return {
        "quote": quote,
        "months": leave_selectors.months_for_page(quote.breakdown),
        "avg": leave_selectors.average_for_page(quote.average_earnings),
        "leave_type": leave_type,
        "holidays": holidays,
        "include_pay": include_pay and quote.vacation_pay is not None,
    }


@page_view
@require_http_methods(["GET", "POST"])
def leave_quote(request: HttpRequest) -> HttpResponse:
    """The quote fragment for the leave form (htmx swaps it in while the dates change).

    The form POSTs it: htmx sends the whole form, CSRF token included, and a GET would put that token in the
    URL and so in every access log. A GET with just the fields answers too (a link, a test); saves nothing."""
    me = access.employee_of(request.user)
    context: dict[str, Any] = {}
    form = LeaveRequestForm(request.POST if request.method == "POST" else request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if me is None:
        context["error"] = _("Only employees file leave requests.")
    elif form.has_error("end_date") and data.get("start_date"):
        context["error"] = " ".join(form.errors["end_date"])
    elif data.get("leave_type") and data.get("start_date") and data.get("end_date"):
        context = quote_context(
            user=request.user,
            employee=me,
            leave_type=data["leave_type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        )
    return render(request, "leave/_quote.html", {"q": context})


# --- one request -----------------------------------------------------------------------------------------


def _load(user: Any, request_id: int) -> Request:
    policy.fetch(user, request_id)  # NotFound (404) for anyone who may not see it
    return selectors.request_shown(request_id=request_id)


def _actions(user: Any, obj: Request) -> dict[str, Any]:
    """The buttons the page offers, as the policy allows them now (the services ask it again when pressed)."""
    allowed = policy.allowed(user, obj)
    cancel_label = ""
    if Action.CONFIRM_CANCELLATION in allowed:
        cancel_label = _("Confirm the cancellation")
    elif Action.CANCEL in allowed:
        cancel_label = _("Cancel the request")
    elif Action.REQUEST_CANCELLATION in allowed:
        cancel_label = _("Ask to cancel")
    return {
        "acknowledge_only": Action.APPROVE in allowed and policy.cannot_be_refused(obj),
        "can_decide": Action.APPROVE in allowed,
        "can_keep": Action.DECLINE_CANCELLATION in allowed,
        "on_behalf_of": allowed.on_behalf_of,
        "cancel_label": cancel_label,
    }


@page_view
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    obj = _load(request.user, request_id)
    quote = dict(obj.leave.quote or {}) if obj.kind == Request.Kind.LEAVE else {}
    if quote:
        quote["holidays_excluded"] = [dt.date.fromisoformat(day) for day in quote.get("holidays_excluded") or []]
        quote["vacation_pay"] = Decimal(quote["vacation_pay"]) if quote.get("vacation_pay") else None
    sees_pay = access.can_see_salary(request.user, obj.employee)
    sees_rate = obj.kind == Request.Kind.RATE_CHANGE and (
        sees_pay or access.can_change_rate(request.user, obj.employee)
    )
    comparison = selectors.comparison_for(request.user, obj)
    context = {
        "obj": obj,
        "comparison": comparison,
        "supersedes_on_approval": selectors.approved_same_date(obj) if obj.status == Request.Status.PENDING else [],
        "supersedes": selectors.superseded_ids(obj),
        "events": list(obj.events.all()),
        "quote": quote,
        "sees_pay": sees_pay,
        "sees_rate": sees_rate,
        "decision_form": DecisionForm(),
        "cancel_form": CancelForm(),
        "Action": RequestEvent.Action,
        **_actions(request.user, obj),
    }
    return render(request, "requests_app/request_detail.html", context)


def _decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    policy.fetch(request.user, request_id)
    form = DecisionForm({"decision": decision, "comment": request.POST.get("comment", "")})
    back = safe_next(request, reverse("request-detail", kwargs={"request_id": request_id}))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    service = services.request_approve if decision == "approve" else services.request_reject
    done = _("Request #%(id)s is approved.") if decision == "approve" else _("Request #%(id)s is rejected.")
    comment = form.cleaned_data["comment"]
    attempt(
        request, lambda: service(request_id=request_id, actor=request.user, comment=comment), done % {"id": request_id}
    )
    return redirect(back)


@page_view
@require_POST
def request_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "approve")


@page_view
@require_POST
def request_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "reject")


def _cancellation_step(
    request: HttpRequest, request_id: int, service: Callable[..., Request], done: Callable[[Request], str]
) -> HttpResponse:
    """A cancellation button (cancel, ask, confirm, decline): the comment checked, the service asked (it asks the
    policy), its refusal or `done(request)` shown, back to the page."""
    policy.fetch(request.user, request_id)
    form = CancelForm(request.POST)
    back = safe_next(request, reverse("request-detail", kwargs={"request_id": request_id}))
    if not form.is_valid():
        messages.error(request, _("The comment is too long."))
        return redirect(back)
    try:
        obj = service(request_id=request_id, actor=request.user, comment=form.cleaned_data["comment"])  # atomic
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done(obj))
    return redirect(back)


@page_view
@require_POST
def request_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    return _cancellation_step(
        request,
        request_id,
        services.request_cancel,
        lambda obj: (
            _("Request #%(id)s is cancelled.") % {"id": obj.pk}
            if obj.status == Request.Status.CANCELLED
            else _("Your approver is asked to confirm the cancellation.")
        ),
    )


@page_view
@require_POST
def request_decline_cancellation(request: HttpRequest, request_id: int) -> HttpResponse:
    """Decline the cancellation the employee asked for: the request stays approved."""
    return _cancellation_step(
        request,
        request_id,
        services.request_decline_cancellation,
        lambda obj: _("Request #%(id)s stays approved; the employee is told.") % {"id": obj.pk},
    )


# --- approvals inbox -------------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest) -> HttpResponse:
    awaiting = policy.inbox(request.user)
    if request.method == "POST":
        return _approvals_post(request, awaiting)
    filters = InboxFilterForm(request.GET or None)
    kind = filters.cleaned_data.get("kind") if filters.is_valid() else ""
    qs = awaiting.with_details()
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.select_related("employee__department", "employee__position").order_by("created_at", "id")
    page = Paginator(qs, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    away = selectors.away_alongside(user=request.user, requests=rows)
    reasons = selectors.cancellation_reasons(requests=rows)
    for obj in rows:
        obj.away_alongside = away.get(obj.pk, [])
        obj.available_after = _available_after(obj)
        obj.cancel_reason = reasons.get(obj.pk, "")
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "kind": kind,
        "query": query_without_page(request),
    }
    return render(request, "requests_app/approvals.html", context)


def _available_after(obj: Request) -> Decimal | None:
    """The balance the leave leaves, from the quote stored when it was filed (None: no balance to show)."""
    if obj.kind != Request.Kind.LEAVE:
        return None
    details = getattr(obj, "leave", None)
    value = (details.quote if details is not None else {}).get("available_after")
    return Decimal(value) if value not in (None, "") else None


_DONE = {
    ("approve", "ids"): gettext_noop("Approved: %(numbers)s."),
    ("reject", "ids"): gettext_noop("Rejected: %(numbers)s."),
    ("approve", "cancellations"): gettext_noop("Cancellation confirmed: %(numbers)s."),
    ("reject", "cancellations"): gettext_noop("Cancellation declined, the request stays approved: %(numbers)s."),
}


def _approvals_post(request: HttpRequest, awaiting: QuerySet[Request]) -> HttpResponse:
    # Bigint ids only: an absurd number is ignored, not a 500.
    checked = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) <= 18]
    checked_cancellations = [int(v) for v in request.POST.getlist("cancellations") if v.isdigit() and len(v) <= 18]
    form = BulkDecisionForm(request.POST, checked_ids=checked, checked_cancellations=checked_cancellations)
    back = safe_next(request, reverse("approvals"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    decision = form.cleaned_data["decision"]
    comment = form.cleaned_data["comment"]
    # Each id goes to the service of what the row was when the page showed it: a pending request is approved or
    # rejected, a cancellation confirmed or declined — never the one for the other, whatever happened since.
    services_for = {
        "ids": services.request_approve if decision == "approve" else services.request_reject,
        "cancellations": (
            services.request_confirm_cancellation if decision == "approve" else services.request_decline_cancellation
        ),
    }
    states = {
        "ids": awaiting.filter(status=Request.Status.PENDING),
        "cancellations": awaiting.filter(status=Request.Status.APPROVED, cancel_requested=True),
    }
    for which, service in services_for.items():
        wanted = form.cleaned_data[which]
        if not wanted:
            continue
        allowed = set(states[which].filter(pk__in=wanted).values_list("pk", flat=True))
        done: list[int] = []
        for request_id in wanted:
            if request_id not in allowed:
                messages.error(request, _("Request #%(id)s no longer awaits your decision.") % {"id": request_id})
                continue
            try:
                # One transaction per request (the service is atomic): a refusal leaves the others decided.
                service(request_id=request_id, actor=request.user, comment=comment)
            except ApplicationError as exc:
                messages.error(request, _("Request #%(id)s: %(error)s") % {"id": request_id, "error": error_text(exc)})
            else:
                done.append(request_id)
        if done:
            numbers = ", ".join(f"#{pk}" for pk in done)
            messages.success(request, _(_DONE[(decision, which)]) % {"numbers": numbers})
    return redirect(back)
