"""Issue 22 in a real browser (Debian's chromium through Playwright, pytest-django's live server; no worker):

- a 2 000-character comment without a space neither widens the approvals page nor the request page past the
  screen: at 1280 and at 390 px the buttons stay inside the viewport and the page does not scroll sideways;
- in English at 1280 px the earnings table of the leave quote scrolls in its own container, not cut off;
- the live quote is a POST: no URL the browser requests carries the CSRF token.

Screenshots: HRPORTAL_SCREENSHOTS=docs/screenshots writes them for the docs, as tests/browser/test_flows.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import Cast
from leave.models import LeaveType
from requests_app.models import Request
from requests_app.services import request_create
from tests.browser.test_flows import CHROMIUM, TIMEOUT_MS, browser, org, session, settled, shots  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt)"),
]

LONG_WORD = "Щ" * 1000 + "W" * 1000  # 2 000 characters, no space, no hyphen
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _long_comment_request(cast: Cast) -> Request:
    return request_create(
        actor=cast.employee.user,
        kind=Request.Kind.LEAVE,
        leave_type=LeaveType.objects.get(code="annual"),
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 6, 5),
        comment=LONG_WORD,
    )


def _page_scrolls_sideways(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")


def _outside_the_viewport(page: Any, selector: str) -> list[str]:
    """The elements matching `selector` that are not wholly inside the viewport (as 'selector #i: box')."""
    width = page.viewport_size["width"]
    found = []
    locator = page.locator(selector)
    assert locator.count() > 0, f"nothing matches {selector}"
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > width:
            found.append(f"{selector} #{i}: {box}")
    return found


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_a_long_unbroken_comment_keeps_the_buttons_on_the_screen(
    org: Cast,  # noqa: F811
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
    screen: str,
) -> None:
    obj = _long_comment_request(org)
    manager = session(browser, live_server.url, "manager")
    manager.set_viewport_size(WIDTHS[screen])

    manager.goto("/approvals/")
    row = f'tr[data-request="{obj.pk}"]'
    assert manager.locator(row).count() == 1
    assert not _page_scrolls_sideways(manager), "the approvals page scrolls sideways"
    problems = _outside_the_viewport(manager, f"{row} td.actions .button, {row} td.actions button")
    problems += _outside_the_viewport(manager, "#inbox-form .buttons button")
    shots(manager, f"15-approvals-long-comment-{WIDTHS[screen]['width']}")
    assert not problems, problems

    manager.goto(f"/requests/{obj.pk}/")
    assert LONG_WORD[:50] in manager.inner_text(".timeline")  # the history shows the comment in full
    assert not _page_scrolls_sideways(manager), "the request page scrolls sideways"
    problems = _outside_the_viewport(manager, "form[action$='/approve/'] .buttons button")
    problems += _outside_the_viewport(manager, ".timeline blockquote")
    shots(manager, f"16-request-long-comment-{WIDTHS[screen]['width']}")
    assert not problems, problems
    assert manager.csp_violations == []


def test_the_english_quote_scrolls_its_earnings_table_and_posts_without_a_token_in_any_url(
    org: Cast,  # noqa: F811
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
) -> None:
    employee = session(browser, live_server.url, "employee")
    urls: list[tuple[str, str]] = []
    employee.on("request", lambda request: urls.append((request.method, request.url)))
    employee.click("button.lang[value=en]")  # the header's switch
    employee.wait_for_selector('html[lang="en"]')

    employee.goto("/requests/new/leave/")
    employee.select_option("#id_leave_type", "annual")
    employee.fill("#id_start_date", "2026-04-27")
    employee.fill("#id_end_date", "2026-05-15")
    employee.locator("#id_end_date").dispatch_event("change")
    settled(employee)
    employee.wait_for_function(
        "() => document.querySelector('[data-days-charged]')?.textContent.trim() === '17'", timeout=TIMEOUT_MS
    )
    # The holidays the leave skips are named in English.
    assert "Spring and Labour Day" in employee.inner_text("[data-holidays]")
    assert "Victory Day" in employee.inner_text("[data-holidays]")

    # No URL carries the token; the quote went as a POST.
    assert [u for _m, u in urls if "csrfmiddlewaretoken" in u] == []
    assert ("POST", f"{live_server.url}/leave/quote/") in urls

    # The month-by-month earnings: every column reachable inside the quote, the page itself not wider.
    employee.click("#quote details summary")
    table = employee.locator("#quote details table")
    table.wait_for()
    shots(employee, "17-leave-quote-earnings-en")
    assert not _page_scrolls_sideways(employee), "the page scrolls sideways"
    geometry = table.evaluate(
        """(table) => {
            const wrap = table.parentElement;
            const card = table.closest('.card').getBoundingClientRect();
            const last = table.querySelector('thead th:last-child').getBoundingClientRect();
            const box = wrap.getBoundingClientRect();
            return {overflowX: getComputedStyle(wrap).overflowX, cardRight: card.right, wrapRight: box.right,
                    scrollWidth: wrap.scrollWidth, clientWidth: wrap.clientWidth, lastRight: last.right,
                    viewport: window.innerWidth};
        }"""
    )
    # At 1280 px the whole table shows, its last column ("Earnings, ₽") not cut at the container's edge…
    assert geometry["scrollWidth"] <= geometry["clientWidth"], geometry
    assert geometry["lastRight"] <= min(geometry["wrapRight"], geometry["cardRight"], geometry["viewport"]), geometry
    # …and on a narrower screen it scrolls inside its own container, not the page.
    assert geometry["overflowX"] in ("auto", "scroll"), geometry
    employee.set_viewport_size({"width": 390, "height": 844})
    assert not _page_scrolls_sideways(employee), "at 390 px the page scrolls sideways"
    assert employee.csp_violations == []
