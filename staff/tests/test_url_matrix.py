"""Role × URL matrix: every URL of the project, GET as every role, against a table of statuses.

How it works
- The URLconf is walked recursively (`django.urls.get_resolver`), so a new URL is covered the day
  it is added. Path parameters are filled with ids of real objects of the cast (the *subject* of a
  URL is `cast.employee`'s object: their record, their request, their report…). A parameter this
  file does not know fails the test: add a provider to PARAMS.
- Expected statuses come from EXPECTED (keyed by URL name, or by the route text for an unnamed
  URL) and otherwise from the default rule of the URL's prefix (`default_expectation`):
    * anonymous and deactivated users: pages → 302 to the login page; /api/ → 401;
    * a terminated employee with an open session: refused by staff.middleware on any URL
      (302 for pages, 401 for /api/);
    * /admin/: HR only (others → 302 to the admin login); HR gets 200 on the models of the
      portal's apps, 403 on the others (auth, Celery results/beat, tokens: no permission);
    * /api/ and pages without parameters: 200 for every logged-in role;
    * /api/ and pages with parameters (the subject is `employee`'s): 200 for the employee, their
      manager and HR; 404 for the outsider and the other department's manager.
- LIST_SCOPES says, for list endpoints, which ids each role must get back (exactly).
- Every mismatch is reported at once; a 2xx that the table does not expect is called out.

To add a URL: if the default rule fits, nothing to do. Otherwise add a row to EXPECTED (only the
roles that differ from the default), and a provider to PARAMS for each new path parameter.

Past 400 lines because the matrix is one table of every URL and role, and its providers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from conftest import Cast, make_employee
from staff.models import HR_GROUP, Delegation, PayRate, Position, TimesheetEntry
from staff.services import HR_PERMISSION_APPS, api_token_issue, hr_group_ensure

ANONYMOUS_LIKE = ("anonymous", "deactivated")
TERMINATED = "terminated"
PEOPLE = ("employee", "outsider", "manager", "other_manager")
HR = "hr"
ROLES = (*ANONYMOUS_LIKE, TERMINATED, *PEOPLE, HR)
SEES_SUBJECT = ("employee", "manager", HR)  # the subject of a URL with parameters is `employee`'s

Statuses = dict[str, set[int]]


# The helpers below leave out the terminated employee: staff.middleware refuses them on every URL
# (see `expectation`); a row may still name TERMINATED explicitly.
def every(*statuses: int) -> Statuses:
    return {role: set(statuses) for role in ROLES if role != TERMINATED}


def only(roles: tuple[str, ...], ok: set[int], others: set[int]) -> Statuses:
    return {role: set(ok) if role in roles else set(others) for role in ROLES if role != TERMINATED}


# --- the table: rows keyed by URL name (namespace included) or, for unnamed URLs, the route ----
# A row lists only the roles that differ from the default rule of its prefix.

OPEN = every(200)
EXPECTED: dict[str, Statuses] = {
    # operations: open to anyone (metrics answers loopback, which the test client is)
    "healthz": OPEN,
    "readyz": every(200, 503),
    "metrics": OPEN,
    "login": OPEN,
    "logout": every(405),  # POST only
    "set_language": every(302),  # GET just redirects back
    "^media/(?P<path>.*)$": every(404),  # DEBUG-only static serving
    # the API's schema and docs need a login
    "schema": {**OPEN, "anonymous": {401}, "deactivated": {401}},
    "api-docs": {**OPEN, "anonymous": {401}, "deactivated": {401}},
    # POST signs in (credentials in the body), DELETE revokes the caller's token: no GET
    "api-token": {**every(405), "anonymous": {401}, "deactivated": {401}},
    # the staff API
    "api-employee-rates": {"employee": {200}, "manager": {403}, HR: {200}},
    # the admin's own pages
    "admin:login": {**every(200), HR: {302}},
    "admin:logout": {HR: {405}},
    "admin:autocomplete": {HR: {403}},  # needs its query parameters
    "admin:view_on_site": {HR: {404}},  # employees have no page of their own
    "admin:staff_employee_delete": {HR: {403}},  # people are terminated, never deleted
    "admin:staff_payrate_delete": {HR: {403}},  # rates are never deleted…
    "admin:staff_payrate_change": {HR: {200}},  # …nor changed: a read-only view
    "admin:staff_importjob_confirm": {HR: {405}},  # POST only
    "admin/(?P<url>.*)$": {HR: {404}},  # the admin's catch-all for unknown admin URLs
    # leave: the production calendar is the same for everybody; a quote is a POST
    "leave-quote": {role: {405} for role in (*PEOPLE, HR)},
    "calendar-year": {role: {200} for role in (*PEOPLE, HR)},
    # requests: actions are POST only; the subject request is `employee`'s (the default rule)
    "api-request-approve": {role: {405} for role in (*PEOPLE, HR)},
    "api-request-reject": {role: {405} for role in (*PEOPLE, HR)},
    "api-request-cancel": {role: {405} for role in (*PEOPLE, HR)},
    "api-request-decline-cancellation": {role: {405} for role in (*PEOPLE, HR)},
    # reports: the subject job is `manager`'s; its owner and HR only; a queued job cannot be downloaded
    "api-report-detail": {"employee": {404}, "manager": {200}, HR: {200}},
    "api-report-download": {"employee": {404}, "manager": {409}, HR: {409}},
    # pages: POST-only actions
    "delegation-delete": {role: {405} for role in (*PEOPLE, HR)},
    "request-approve": {role: {405} for role in (*PEOPLE, HR)},
    "request-reject": {role: {405} for role in (*PEOPLE, HR)},
    "request-cancel": {role: {405} for role in (*PEOPLE, HR)},
    "request-decline-cancellation": {role: {405} for role in (*PEOPLE, HR)},
    # pages for managers and HR only
    "delegations": {"employee": {403}, "outsider": {403}},
    "rate-change-new": {"employee": {403}, "outsider": {403}},
    "reports": {"employee": {403}, "outsider": {403}},
    # leave: HR's pages and the settlement API (the API needs its parameters: 400 without them)
    "leave-overdue": {**{role: {403} for role in PEOPLE}, HR: {200}},
    "leave-settlement-page": {**{role: {403} for role in PEOPLE}, HR: {200}},
    "leave-settlement": {**{role: {403} for role in PEOPLE}, HR: {400}},
    "report-progress": {"employee": {404}, "manager": {200}, HR: {200}},  # the manager's job
    # documents: signing and HR's actions are POST only; HR's desk and archives are HR's (a queued archive: 404)
    "api-document-code": {role: {405} for role in (*PEOPLE, HR)},
    "api-document-sign": {role: {405} for role in (*PEOPLE, HR)},
    "document-code": {role: {405} for role in (*PEOPLE, HR)},
    "document-sign": {role: {405} for role in (*PEOPLE, HR)},
    "document-paper": {role: {405} for role in (*PEOPLE, HR)},
    "document-remind": {role: {405} for role in (*PEOPLE, HR)},
    "certificate-issue": {role: {405} for role in (*PEOPLE, HR)},
    "documents-hr": {**{role: {403} for role in PEOPLE}, HR: {200}},
    "document-archive-download": {**{role: {403} for role in PEOPLE}, HR: {404}},
    # the leave schedule (2027): everyone reads their own part of the year; actions are POST only
    "api-schedule": {role: {200} for role in (*PEOPLE, HR)},
    **{
        name: {role: {405} for role in (*PEOPLE, HR)}
        for name in (
            "api-schedule-parts",
            "api-schedule-part",
            "api-schedule-part-move",
            "api-schedule-part-comment",
            "api-schedule-part-request",
            "api-schedule-change-consent",
            "api-schedule-submit",
            "api-schedule-approve",
            "api-schedule-union",
            "api-schedule-export",
            "api-notice-acknowledge",
            "schedule-part-preview",
            "schedule-part-action",
            "schedule-change-action",
        )
    },
    "schedule-year": {role: {200} for role in (*PEOPLE, HR)},
    "schedule-team": {"employee": {403}, "outsider": {403}, "manager": {200}, "other_manager": {200}, HR: {200}},
    "schedule-hr": {**{role: {403} for role in PEOPLE}, HR: {200}},
    "schedule-payroll": {**{role: {403} for role in PEOPLE}, HR: {200}},
    # a notice is the employee's own (HR prints it); their manager does not see it
    "schedule-notice": {"manager": {404}},
    "schedule-notice-print": {"manager": {404}},
}


def default_expectation(route: Route) -> Statuses:
    path = route.url
    if path.startswith("/admin/"):
        hr = {200}
        model = route.model
        name = route.name or ""
        history_page = name.endswith("_history") and not name.endswith("_simple_history")
        if route.missing_object and history_page:
            hr = {302}  # Django's history view looks the object up before it checks permissions
        elif model is not None and model._meta.app_label not in HR_PERMISSION_APPS:
            hr = {403}
        elif route.missing_object:
            hr = {404} if name.endswith("_simple_history") else {302}
        if name.endswith(("_add", "_delete")) and hr & {200, 302}:
            hr = hr | {403}  # an admin may forbid adding or deleting (append-only ledgers, audit rows)
        if route.name is None and model is not None:
            hr = {302}  # admin/<app>/<model>/<id>/ redirects to the change page
        if route.name == "admin:app_list":
            hr = {200} if route.kwargs.get("app_label") in HR_PERMISSION_APPS else {404}
        return {**only(ANONYMOUS_LIKE + PEOPLE, {302}, hr), TERMINATED: {302}}
    # A terminated employee's session is refused by the middleware before any view runs.
    refused = {401} if path.startswith("/api/") else {302}
    seen = only(SEES_SUBJECT, {200}, {404}) if route.has_params else only((*PEOPLE, HR), {200}, set())
    return {**seen, **{role: set(refused) for role in ANONYMOUS_LIKE}, TERMINATED: set(refused)}


def expectation(route: Route) -> tuple[Statuses, bool]:
    """The statuses each role may get, and whether they come (partly) from an explicit row."""
    base = default_expectation(route)
    row = EXPECTED.get(route.key)
    if row is None:
        return base, False
    return {**base, **row}, True


# --- list endpoints: exactly what each role may see ------------------------------------------------


def _employee_ids(cast: Cast, role: str) -> set[int]:
    subtree = {cast.manager, cast.employee, cast.sub_manager, cast.sub_employee, cast.deactivated, cast.terminated}
    return {
        "employee": {cast.employee.pk},
        "outsider": {cast.outsider.pk},
        "manager": {e.pk for e in subtree},
        "other_manager": {cast.other_manager.pk, cast.outsider.pk},
    }.get(role, set())


def _department_ids(cast: Cast, role: str) -> set[int]:
    return {
        "employee": {cast.sales.pk},
        "outsider": {cast.engineering.pk},
        "manager": {cast.sales.pk, cast.sales_east.pk},
        "other_manager": {cast.engineering.pk},
    }.get(role, set())


LIST_SCOPES: dict[str, Callable[[Cast, str, Any], set[int]]] = {
    # HR's expectation is "everything in the table"; computed from the database.
    "api-employee-list": lambda cast, role, db_all: (
        db_all("staff.Employee") if role == HR else _employee_ids(cast, role)
    ),
    "api-department-list": lambda cast, role, db_all: (
        db_all("staff.Department") if role == HR else _department_ids(cast, role)
    ),
    # The employee's T-9 order: the employee, their manager and HR; nobody else (an outsider's list is empty).
    "api-documents": lambda cast, role, db_all: (
        db_all("documents.Document") if role in (HR, "employee", "manager") else set()
    ),
}


# --- path parameters ------------------------------------------------------------------------------


@dataclass
class Objects:
    """Real objects of the cast that URLs point at; `employee`'s wherever there is a choice."""

    cast: Cast
    by_model: dict[type, Any] = field(default_factory=dict)
    made: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]


# Objects of the other apps, made through their own services (imported lazily: each provider
# breaks alone if its app changes, with the name of the URL in the failure).
def _employees_request(o: Objects) -> int:
    from requests_app.services import request_create

    def make() -> Any:
        return request_create(actor=o.cast.employee.user, kind="certificate", certificate_type="employment", copies=1)

    return o.once("request", make).pk


def _managers_report(o: Objects) -> int:
    import datetime as dt

    from reports.services import report_request

    def make() -> Any:
        job, _created = report_request(
            user=o.cast.manager.user,
            kind="holiday_work",
            date_from=dt.date(2024, 1, 1),
            date_to=dt.date(2024, 12, 31),
            department=o.cast.sales,
        )
        return job

    return o.once("report", make).pk


def _employees_trip_order(o: Objects) -> int:
    """The T-9 order of the employee's approved business trip (its manager and HR see it too)."""
    import datetime as dt

    from documents.models import Document
    from requests_app.services import request_approve, request_create

    def make() -> Any:
        trip = request_create(
            actor=o.cast.employee.user,
            kind="business_trip",
            start_date=dt.date(2026, 6, 1),
            end_date=dt.date(2026, 6, 2),
            destination="Омск",
            purpose="Аудит",
        )
        request_approve(request_id=trip.pk, actor=o.cast.manager.user)
        return Document.objects.get(request=trip)

    return o.once("document", make).pk


def _archive(o: Objects) -> int:
    import datetime as dt

    from documents.models import DocumentArchive

    def make() -> Any:
        return DocumentArchive.objects.create(
            date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31), requested_by=o.cast.hr.user
        )

    return o.once("archive", make).pk


def _schedule(o: Objects) -> dict[str, Any]:
    """The approved 2027 leave schedule with `employee`'s part, its notice, a move the employee asked for, and a
    payroll list."""
    import datetime as dt

    from schedule import notices, services
    from schedule.models import PayrollList

    def make() -> dict[str, Any]:
        services.campaign_open(actor=o.cast.hr.user, year=2027, proposal_deadline=dt.date(2026, 12, 1))
        part = services.part_add(
            actor=o.cast.manager.user,
            year=2027,
            employee=o.cast.employee,
            start_date=dt.date(2027, 6, 1),
            end_date=dt.date(2027, 6, 14),
        )
        services.campaign_approve(actor=o.cast.hr.user, year=2027)
        notices.notice_issue(part_id=part.pk, on=dt.date(2027, 5, 18))
        change = services.part_move(
            actor=o.cast.employee.user,
            part_id=part.pk,
            start_date=dt.date(2027, 7, 1),
            end_date=dt.date(2027, 7, 14),
            reason="family",
        )
        return {
            "year": 2027,
            "part": part.pk,
            "notice": part.notices.get().pk,
            "change": change.pk,
            "list": PayrollList.objects.create(date=dt.date(2027, 5, 29)).pk,
        }

    return o.once("schedule", make)  # type: ignore[no-any-return]


# (URL name or None for any, parameter) → value. Admin object ids come from Objects.by_model.
PARAMS: dict[tuple[str | None, str], Callable[[Objects], Any]] = {
    ("api-employee-detail", "pk"): lambda o: o.cast.employee.pk,
    ("api-employee-rates", "pk"): lambda o: o.cast.employee.pk,
    ("leave-settlement-page", "employee_id"): lambda o: o.cast.employee.pk,
    ("admin:view_on_site", "content_type_id"): lambda o: ContentType.objects.get_for_model(type(o.cast.employee)).pk,
    ("admin:view_on_site", "object_id"): lambda o: o.cast.employee.pk,
    ("admin:auth_user_password_change", "id"): lambda o: o.cast.employee.user.pk,
    ("calendar-year", "year"): lambda o: 2025,
    # By parameter name, for the API and the pages alike:
    (None, "request_id"): _employees_request,
    (None, "job_id"): _managers_report,
    (None, "document_id"): _employees_trip_order,  # the employee's T-9 order
    (None, "archive_id"): _archive,  # queued, so not downloadable yet
    (None, "delegation_id"): lambda o: o.by_model[Delegation].pk,  # manager → sub_manager
    (None, "year"): lambda o: _schedule(o)["year"],
    (None, "part_id"): lambda o: _schedule(o)["part"],
    (None, "change_id"): lambda o: _schedule(o)["change"],
    (None, "notice_id"): lambda o: _schedule(o)["notice"],
    (None, "list_id"): lambda o: _schedule(o)["list"],
    (None, "action"): lambda o: "move",
    (None, "url"): lambda o: "no-such-admin-page/",  # the admin's catch-all
    (None, "path"): lambda o: "no-such-file.txt",  # static/media serving
    (None, "format"): lambda o: "json",  # DRF format suffixes
}


class UnknownParameter(Exception):
    pass


@dataclass
class Route:
    key: str  # URL name, or the route text when unnamed
    name: str | None
    route: str
    pattern: URLPattern
    model: type | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    args: list[Any] = field(default_factory=list)
    url: str = ""
    has_params: bool = False
    missing_object: bool = False


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace) if n) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry


def _model_admin_for(name: str | None, pattern: URLPattern) -> Any:
    model_admin = getattr(pattern.callback, "model_admin", None)
    if model_admin is not None or not name or not name.startswith("admin:"):
        return model_admin
    for model, candidate in admin.site._registry.items():
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return candidate
    return None


def _admin_object(objects: Objects, model: type) -> Any:
    if model in objects.by_model:
        return objects.by_model[model]
    return model._default_manager.order_by("pk").first()


def _latest_history_id(obj: Any) -> Any:
    history = getattr(type(obj), "history", None)
    if obj is None or history is None:
        return None
    record = obj.history.order_by("-history_id").first()
    return record.history_id if record else None


def _param(objects: Objects, name: str | None, param: str) -> Any:
    for key in ((name, param), (None, param)):
        if key in PARAMS:
            return PARAMS[key](objects)
    raise UnknownParameter(f"URL {name!r}: no value for path parameter {param!r}; add it to PARAMS")


def _fill(route_text: str, values: dict[str, Any]) -> str:
    text = route_text.replace("^", "").replace("$", "")
    text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), text)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
    return "/" + text


def build_routes(objects: Objects) -> tuple[list[Route], list[str]]:
    routes: list[Route] = []
    problems: list[str] = []
    for route_text, name, pattern in _walk(get_resolver().url_patterns):
        key = name or route_text
        model_admin = _model_admin_for(name, pattern)
        model = model_admin.model if model_admin is not None else None
        regexes = re.findall(r"\(\?P<(\w+)>", route_text) + re.findall(r"<(?:\w+:)?(\w+)>", route_text)
        positional = len(re.findall(r"\((?!\?)", route_text))
        try:
            variants: list[Route] = []
            obj = _admin_object(objects, model) if model is not None else None
            if name == "admin:app_list":
                for label in sorted({m._meta.app_label for m in admin.site._registry}):
                    variants.append(Route(key, name, route_text, pattern, kwargs={"app_label": label}))
            elif positional and name and name.endswith("_simple_history"):
                version = _latest_history_id(obj)
                missing = obj is None or version is None
                args = [obj.pk if obj is not None else 0, version if version is not None else 0]
                variants.append(Route(key, name, route_text, pattern, model, args=args, missing_object=missing))
            elif positional:
                raise UnknownParameter(f"URL {key!r} has unnamed groups; give it a name or a case here")
            else:
                kwargs: dict[str, Any] = {}
                missing = False
                for param in regexes:
                    if model is not None and param == "object_id":
                        kwargs[param] = obj.pk if obj is not None else 0
                        missing = obj is None
                    else:
                        kwargs[param] = _param(objects, name, param)
                variants.append(Route(key, name, route_text, pattern, model, kwargs=kwargs, missing_object=missing))
            for route in variants:
                route.has_params = bool(route.kwargs or route.args)
                if name and (route.args or not re.search(r"\(\?P<(url|path)>", route_text)):
                    route.url = reverse(name, args=route.args) if route.args else reverse(name, kwargs=route.kwargs)
                else:
                    route.url = _fill(route_text, route.kwargs)
                # Built right? It must resolve back to the same view.
                if resolve(route.url.split("?")[0]).func is not pattern.callback:
                    raise UnknownParameter(f"URL {key!r}: built {route.url!r}, which resolves elsewhere")
                routes.append(route)
        except UnknownParameter as exc:
            problems.append(str(exc))
    return routes, problems


# --- the cast, logged in ------------------------------------------------------------------------


@pytest.fixture
def matrix_objects(cast: Cast, hr_admin: Any) -> Objects:
    """The cast plus one object of each staff model, all of them `employee`'s where that applies."""
    position = Position.objects.create(name="Менеджер по продажам")
    cast.employee.position = position
    cast.employee.save()
    delegation = Delegation.objects.create(
        manager=cast.manager, deputy=cast.sub_manager, start_date="2024-01-01", end_date="2024-01-31"
    )
    entry = TimesheetEntry.objects.create(employee=cast.employee, date="2024-05-09", kind="holiday", hours=Decimal(8))
    api_token_issue(user=cast.employee.user)
    terminated = make_employee(username="terminated", department=cast.sales, last_name="Ушедший")
    terminated.termination_date = "2024-02-29"
    terminated.save()
    cast.terminated = terminated  # type: ignore[attr-defined]
    hr_group_ensure()
    return Objects(
        cast=cast,
        by_model={
            type(cast.employee): cast.employee,
            type(cast.sales): cast.sales,
            PayRate: PayRate.objects.get(employee=cast.employee),
            Position: position,
            Delegation: delegation,
            TimesheetEntry: entry,
            type(cast.employee.user): cast.employee.user,
            Group: Group.objects.get(name=HR_GROUP),
        },
    )


def _client(objects: Objects, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(objects.cast, role).user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_role_url_matrix(matrix_objects: Objects, role: str) -> None:
    routes, problems = build_routes(matrix_objects)
    assert not problems, "\n".join(problems)
    assert len(routes) > 50  # the walk found the project, not an empty URLconf

    def db_all(label: str) -> set[int]:
        from django.apps import apps

        return set(apps.get_model(label)._default_manager.values_list("pk", flat=True))

    client = _client(matrix_objects, role)
    mismatches: list[str] = []
    unexpected_2xx: list[str] = []
    for route in routes:
        if role == TERMINATED:
            client = _client(matrix_objects, role)  # the middleware ends the session on each refusal
        expected_by_role, explicit = expectation(route)
        expected = expected_by_role[role]
        response = client.get(route.url, REMOTE_ADDR="127.0.0.1")
        status = response.status_code
        where = f"{role:>13} GET {route.url} [{route.key}]"
        if status not in expected:
            mismatches.append(f"{where}: {status}, expected {sorted(expected)}")
            if 200 <= status < 300:
                unexpected_2xx.append(where)
            continue
        if status == 302 and role != HR and not explicit:
            location = response.headers.get("Location", "")
            login = (
                "/admin/login/" if route.url.startswith("/admin/") and role not in (TERMINATED,) else "/accounts/login/"
            )
            if not location.startswith(login):
                mismatches.append(f"{where}: redirects to {location!r}, expected the login page {login}")
        if status == 200 and route.key in LIST_SCOPES:
            body = response.json()
            rows = body["results"] if isinstance(body, dict) else body
            got = {row["id"] for row in rows}
            want = LIST_SCOPES[route.key](matrix_objects.cast, role, db_all)
            if got != want:
                mismatches.append(f"{where}: listed ids {sorted(got)}, expected {sorted(want)}")
    assert not unexpected_2xx, "unexpected 2xx:\n" + "\n".join(unexpected_2xx)
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches)


def test_the_walk_fails_loudly_on_an_unknown_parameter(matrix_objects: Objects, monkeypatch) -> None:
    monkeypatch.delitem(PARAMS, ("api-employee-detail", "pk"))
    _routes, problems = build_routes(matrix_objects)
    assert any("api-employee-detail" in p and "'pk'" in p for p in problems)


def test_metrics_is_refused_to_other_addresses(client: Client, settings: Any) -> None:
    settings.METRICS_BEARER_TOKEN = ""
    assert client.get(reverse("metrics"), REMOTE_ADDR="203.0.113.9").status_code == 403
