"""The English names of the federal public holidays (art. 112 of the Labour Code).

The production calendar stores each holiday's name as the government decree writes it, in Russian; the pages
show it in the reader's language. A name this table does not know is shown as it is stored.
"""

from __future__ import annotations

ENGLISH = {
    "Новогодние каникулы": "New Year holidays",
    "Новый год": "New Year",
    "Рождество Христово": "Christmas",
    "День защитника Отечества": "Defender of the Fatherland Day",
    "Международный женский день": "International Women's Day",
    "Праздник Весны и Труда": "Spring and Labour Day",
    "День Победы": "Victory Day",
    "День России": "Russia Day",
    "День народного единства": "Unity Day",
}


def holiday_name(name: str, language: str) -> str:
    """A holiday's name in `language` (a language code such as "en" or "ru")."""
    if language.startswith("en"):
        return ENGLISH.get(name.strip(), name)
    return name
