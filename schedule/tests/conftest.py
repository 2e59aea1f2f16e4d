from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

YEAR = 2027
# The autumn before: proposals open until 1 December, the schedule approved by 17 December (art. 123).
TODAY = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
DEADLINE = dt.date(2026, 12, 1)


@pytest.fixture
def autumn() -> Iterator[Any]:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(cast: Any, autumn: Any) -> Any:
    from schedule import services

    return services.campaign_open(actor=cast.hr.user, year=YEAR, proposal_deadline=DEADLINE)
