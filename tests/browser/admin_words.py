"""What a person reads as the admin's headings, column titles, labels and filters, and the English words in them.

Used by the Russian-admin browser test on the pages the browser renders. The text checked is structure, not
data: the page title, the site name, headings, the app sections and model names, table column titles, filter
titles and their choices, form labels, the actions, the date hierarchy and the object tools. People's names,
e-mail addresses, logins and file names are data and may be Latin; they are taken out before the check.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

# Words that stay as they are in a Russian interface.
ALLOWED = {
    "excel",  # the program the export is for
    "id",  # the admin's own column for a row's number
    "html",  # "HTML-текст" of a message
    "xlsx",
    "csv",
    "utf",
    "ip",  # "IP-адрес" of a signature  # the encoding of an import file ("CSV UTF-8")
    "pdf",
    "sha",  # SHA-256 digests
    "api",
}

# XPath of the elements whose text is structure (see the module docstring).
STRUCTURE = " | ".join(
    [
        "//title",
        "//*[@id='site-name']",
        "//h1",
        "//h2",
        "//h3",
        "//h4",
        "//caption",
        "//thead//th",
        "//table//th[@scope='row']",  # the index's model names
        "//*[@id='changelist-filter']//a",  # the filters' choices
        "//*[@id='changelist-filter']//summary",
        "//label",
        "//legend",
        "//select[@name='action']/option",
        "//*[contains(@class, 'xfull')]//a",  # the date hierarchy
        "//*[contains(@class, 'object-tools')]//a",
        "//*[contains(@class, 'breadcrumbs')]",
        "//nav[@id='nav-sidebar']//th",
    ]
)
DATA = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\b[\w-]+\.(xlsx|csv|pdf|txt|html)\b"),  # file names
]
WORD = re.compile(r"[A-Za-z]{2,}")


def english_in(html: str, allowed: set[str] = ALLOWED) -> list[tuple[str, str]]:
    """(element, its text) for every structural element with an English word not in `allowed`."""
    doc = lxml.html.fromstring(html)
    found = []
    for element in doc.xpath(STRUCTURE):
        text = " ".join(element.text_content().split())
        for pattern in DATA:
            text = pattern.sub(" ", text)
        words = {word for word in WORD.findall(text) if word.lower() not in allowed}
        if words:
            found.append((element.tag, text[:160]))
    return found


def admin_links(html: str, base: str, *, objects: bool = False, history: bool = False) -> list[str]:
    """From the admin's index: every list. From a list (`objects`): its first object's page and its add form.
    From an object's page (`history`): its history."""
    doc = lxml.html.fromstring(html)
    if history:
        hrefs = doc.xpath("//*[contains(@class, 'object-tools')]//a[contains(@class, 'historylink')]/@href")
    elif not objects:
        hrefs = doc.xpath("//*[@id='content-main']//table//th[@scope='row']/a/@href")
    else:
        hrefs = doc.xpath("(//*[@id='result_list']//tbody/tr[1]//a[contains(@href, '/change/')])[1]/@href")
        hrefs += doc.xpath("//*[contains(@class, 'object-tools')]//a[contains(@class, 'addlink')]/@href")
    return list(dict.fromkeys(urljoin(base, href) for href in hrefs))
