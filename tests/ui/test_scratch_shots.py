import os, datetime as dt
import pytest
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import sync_playwright
from conftest import Cast, PASSWORD

@pytest.mark.django_db(transaction=True)
def test_shots(live_server):
    from leave.services import load_calendar, ensure_leave_types
    ensure_leave_types(); load_calendar(year=2026); load_calendar(year=2025)
    cast = Cast()
    from requests_app.services import request_create
    from leave.models import LeaveType
    r = request_create(actor=cast.employee.user, kind="leave", leave_type=LeaveType.objects.get(code="annual"), start_date=dt.date(2026,12,7), end_date=dt.date(2026,12,20))
    request_create(actor=cast.sub_employee.user, kind="business_trip", start_date=dt.date(2026,12,10), end_date=dt.date(2026,12,12), destination="Казань", purpose="Выставка")
    out = "/tmp/helper_ui-var/shots"; os.makedirs(out, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--no-first-run"])
        for who, urls in [("manager", ["/", "/approvals/", "/team/calendar/", f"/requests/{r.pk}/", "/reports/", "/delegations/", "/rates/new/"]), ("employee", ["/", "/requests/new/leave/", "/profile/", "/requests/"])]:
            pg = b.new_page(viewport={"width": 1280, "height": 800})
            msgs = []
            pg.on("console", lambda m: msgs.append(m.text))
            pg.goto(live_server.url + "/accounts/login/")
            pg.screenshot(path=f"{out}/login.png")
            pg.fill("#id_username", who); pg.fill("#id_password", PASSWORD); pg.click("button.primary")
            for u in urls:
                pg.goto(live_server.url + u)
                if u == "/requests/new/leave/":
                    pg.fill("#id_start_date", "2026-04-27"); pg.fill("#id_end_date", "2026-05-15")
                    pg.locator("#id_end_date").dispatch_event("change")
                    pg.wait_for_selector("[data-days-charged]")
                pg.screenshot(path=f"{out}/{who}{u.replace('/', '_')}.png", full_page=True)
            print(who, msgs)
        b.close()
