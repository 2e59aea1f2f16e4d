"""The demo organisation as plain data, built deterministically from (employees, seed, today).

No database here: `build_plan` decides every department, person, pay-rate row and timesheet
profile; `timesheet_rows` turns a person and the production calendar into rows. Separate random
streams per concern keep the names of a seed the same whatever the date of the run.

Past 400 lines: the plan of the demo organisation is one deterministic generator (names, tree, rates, timesheets)
whose random streams must stay together.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from staff.demo.names import FEMALE_NAMES, MALE_NAMES, SURNAMES, feminine_surname, transliterate

PERSONNEL_PREFIX = "DM"
MARKER_PERSONNEL_NUMBER = f"{PERSONNEL_PREFIX}00001"  # the first demo person: "demo data is present"
EMAIL_DOMAIN = "demo.hrportal.example"  # RFC 2606: never a real mailbox
MIN_EMPLOYEES = 30
TIMESHEET_MONTHS = 13
FIXED_LOGINS = ("hr", "manager", "employee", "outsider")

# (position, lowest and highest monthly salary today in RUB, additional leave days a year)
HEAD_POSITIONS: dict[int, tuple[str, int, int, int]] = {
    0: ("Генеральный директор", 450_000, 600_000, 3),
    1: ("Директор направления", 300_000, 420_000, 3),
    2: ("Начальник отдела", 180_000, 260_000, 3),
    3: ("Руководитель группы", 140_000, 200_000, 3),
    4: ("Руководитель сектора", 130_000, 180_000, 0),
    5: ("Руководитель звена", 110_000, 160_000, 0),
}
AREA_POSITIONS: dict[str, tuple[tuple[str, int, int, int], ...]] = {
    "management": (("Помощник руководителя", 80_000, 120_000, 0), ("Советник", 200_000, 300_000, 0)),
    "sales": (
        ("Менеджер по продажам", 70_000, 120_000, 0),
        ("Старший менеджер по продажам", 110_000, 160_000, 0),
        ("Маркетолог", 80_000, 130_000, 0),
        ("Аналитик продаж", 90_000, 140_000, 0),
    ),
    "dev": (
        ("Программист", 150_000, 260_000, 0),
        ("Ведущий программист", 230_000, 350_000, 3),
        ("Инженер по тестированию", 110_000, 190_000, 0),
        ("DevOps-инженер", 180_000, 290_000, 3),
        ("Системный аналитик", 140_000, 230_000, 0),
    ),
    "finance": (
        ("Бухгалтер", 70_000, 110_000, 0),
        ("Экономист", 80_000, 120_000, 0),
        ("Финансовый аналитик", 100_000, 160_000, 0),
    ),
    "production": (
        ("Слесарь-сборщик", 55_000, 85_000, 0),
        ("Контролёр ОТК", 50_000, 75_000, 0),
        ("Инженер-технолог", 85_000, 130_000, 0),
        ("Наладчик оборудования", 65_000, 95_000, 7),  # harmful conditions, art. 117
    ),
    "logistics": (
        ("Кладовщик", 45_000, 65_000, 0),
        ("Водитель-экспедитор", 60_000, 85_000, 3),  # irregular working day, art. 119
        ("Специалист по закупкам", 75_000, 110_000, 0),
        ("Логист", 70_000, 100_000, 0),
    ),
    "hr": (
        ("Специалист по кадрам", 65_000, 95_000, 0),
        ("Менеджер по персоналу", 80_000, 120_000, 0),
        ("Специалист по расчёту заработной платы", 75_000, 110_000, 0),
    ),
    "admin": (
        ("Юрисконсульт", 90_000, 140_000, 0),
        ("Офис-менеджер", 55_000, 75_000, 0),
        ("Специалист АХО", 50_000, 70_000, 0),
    ),
}
# Who works on days off now and then (duty shifts, releases, stock-taking): share by area.
OFF_DAY_WORKERS = {"production": 0.25, "logistics": 0.25, "dev": 0.08}
OFF_DAY_WORKERS_DEFAULT = 0.03

COMPANY = "ООО «Северный ветер»"
CITIES = (
    "Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Самара",
    "Краснодар", "Ростов-на-Дону", "Воронеж", "Пермь", "Уфа", "Челябинск", "Омск", "Красноярск", "Тюмень",
)  # fmt: skip
PRODUCTS = (
    "Платежи", "Каталог", "Поиск", "Личный кабинет", "Мобильное приложение", "Аналитика", "Интеграции",
    "Биллинг", "Отчётность", "Безопасность", "Платформа", "Уведомления", "CRM", "Склад", "Кадры", "Доставка",
)  # fmt: skip
# (division, area, [(department, area, group name pattern or None when it has no groups)])
DIVISIONS: tuple[tuple[str, str, tuple[tuple[str, str, str | None], ...]], ...] = (
    (
        "Коммерческая дирекция",
        "sales",
        (
            ("Отдел продаж", "sales", "Группа продаж «{city}»"),
            ("Отдел маркетинга", "sales", None),
            ("Отдел по работе с ключевыми клиентами", "sales", "Группа ключевых клиентов «{city}»"),
        ),
    ),
    (
        "Департамент разработки",
        "dev",
        (
            ("Отдел серверной разработки", "dev", "Команда «{product}»"),
            ("Отдел клиентских приложений", "dev", "Команда «{product}»"),
            ("Отдел тестирования", "dev", None),
            ("Отдел эксплуатации", "dev", None),
        ),
    ),
    (
        "Финансовая дирекция",
        "finance",
        (
            ("Бухгалтерия", "finance", None),
            ("Планово-экономический отдел", "finance", None),
            ("Казначейство", "finance", None),
        ),
    ),
    (
        "Производственная дирекция",
        "production",
        (
            ("Сборочный цех", "production", "Участок №{n}"),
            ("Отдел технического контроля", "production", None),
            ("Ремонтно-механический участок", "production", "Бригада №{n}"),
        ),
    ),
    (
        "Департамент логистики",
        "logistics",
        (
            ("Складской комплекс", "logistics", "Склад «{city}»"),
            ("Отдел закупок", "logistics", None),
            ("Транспортный отдел", "logistics", "Автоколонна №{n}"),
        ),
    ),
    (
        "Административная дирекция",
        "admin",
        (
            ("Отдел кадров", "hr", None),
            ("Юридический отдел", "admin", None),
            ("Административно-хозяйственный отдел", "admin", None),
        ),
    ),
)
MANAGER_DEPARTMENT = "Отдел продаж"
OUTSIDER_DEPARTMENT = "Отдел серверной разработки"
HR_DEPARTMENT = "Отдел кадров"
MAX_GROUPS_PER_DEPARTMENT = 16
PEOPLE_PER_DEPARTMENT = 25

CENTS = Decimal("0.01")


@dataclass
class DepartmentPlan:
    key: int
    name: str
    parent: int | None
    level: int
    area: str
    head: int | None = None  # index into Plan.people


@dataclass
class RatePlan:
    effective_date: dt.date
    fte: Decimal
    salary: Decimal
    comment: str
    superseded: bool = False  # a mistaken row corrected by the next one of the same date


@dataclass
class PersonPlan:
    index: int
    personnel_number: str
    username: str
    last_name: str
    first_name: str
    patronymic: str
    female: bool
    email: str
    language: str
    department: int
    position: str
    hire_date: dt.date
    termination_date: dt.date | None
    rates: list[RatePlan] = field(default_factory=list)
    hr: bool = False
    login: str | None = None  # one of FIXED_LOGINS
    off_day_worker: bool = False
    overtime_worker: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.patronymic}"


@dataclass
class Plan:
    seed: int
    today: dt.date
    window_start: dt.date
    window_end: dt.date
    departments: list[DepartmentPlan]
    people: list[PersonPlan]
    positions: dict[str, int]  # name → additional leave days

    def login(self, name: str) -> PersonPlan:
        return next(p for p in self.people if p.login == name)


def _months_back(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def _round_salary(value: float) -> Decimal:
    return Decimal(round(value / 500.0) * 500).quantize(CENTS)


def _random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _build_departments(employees: int) -> list[DepartmentPlan]:
    departments = [DepartmentPlan(key=0, name=COMPANY, parent=None, level=0, area="management")]
    expandable: list[tuple[int, str]] = []
    for division_name, division_area, children in DIVISIONS:
        division = DepartmentPlan(len(departments), division_name, 0, 1, division_area)
        departments.append(division)
        for name, area, group_pattern in children:
            departments.append(DepartmentPlan(len(departments), name, division.key, 2, area))
            if group_pattern:
                expandable.append((len(departments) - 1, group_pattern))
    # About 25 people a department, in the same shape at every size: groups under the expandable
    # departments, sectors under the groups, teams («Звено») under the sectors — a tree five levels
    # deep from ~300 people and six from ~10,000 (the heads permitting: one per department).
    spare_heads = max(0, (employees - len(departments) - 3) // 10)
    target = max(len(departments) + min(2 * len(expandable), spare_heads), round(employees / PEOPLE_PER_DEPARTMENT))
    room = target - len(departments)
    group_total = min(len(expandable) * MAX_GROUPS_PER_DEPARTMENT, max(min(len(expandable), room), room // 3))
    groups = _children(departments, [(key, pattern) for key, pattern in expandable], group_total, 3)
    sector_total = min(target - len(departments), max(len(groups), (target - len(departments)) * 2 // 3))
    if employees < 10_000:
        sector_total = target - len(departments)
    sectors = _children(departments, [(key, "Сектор {n}") for key in groups], sector_total, 4)
    _children(departments, [(key, "Звено {n}") for key in sectors], target - len(departments), 5)
    return departments


def _children(departments: list[DepartmentPlan], parents: list[tuple[int, str]], total: int, level: int) -> list[int]:
    """Append `total` departments round-robin under `parents` (name patterns), at most
    MAX_GROUPS_PER_DEPARTMENT each; their keys."""
    made: list[int] = []
    counts = dict.fromkeys((key for key, _ in parents), 0)
    while len(made) < total and any(n < MAX_GROUPS_PER_DEPARTMENT for n in counts.values()):
        for key, pattern in parents:
            if len(made) >= total or counts[key] >= MAX_GROUPS_PER_DEPARTMENT:
                continue
            n = counts[key]
            name = pattern.format(city=CITIES[n % len(CITIES)], product=PRODUCTS[n % len(PRODUCTS)], n=n + 1)
            departments.append(DepartmentPlan(len(departments), name, key, level, departments[key].area))
            made.append(len(departments) - 1)
            counts[key] = n + 1
    return made


def _department_weight(department: DepartmentPlan, has_children: bool) -> float:
    if department.level == 0:
        return 0.3
    if department.level == 1:
        return 0.5
    return 3.0 if has_children else 10.0


def _make_person_names(rng: random.Random, used_usernames: dict[str, int]) -> dict[str, object]:
    female = rng.random() < 0.48
    surname = rng.choice(SURNAMES)
    father = rng.choice(MALE_NAMES)
    if female:
        first_name = rng.choice(FEMALE_NAMES)
        last_name, patronymic = feminine_surname(surname), father[2]
    else:
        first_name = rng.choice(MALE_NAMES)[0]
        last_name, patronymic = surname, father[1]
    base = f"{transliterate(last_name)}.{transliterate(first_name[0])}{transliterate(patronymic[0])}"
    used_usernames[base] = used_usernames.get(base, 0) + 1
    username = base if used_usernames[base] == 1 else f"{base}{used_usernames[base]}"
    return {
        "female": female,
        "last_name": last_name,
        "first_name": first_name,
        "patronymic": patronymic,
        "username": username,
    }


def _rates(
    rng: random.Random, *, hire_date: dt.date, today: dt.date, low: int, high: int, fte: Decimal
) -> list[RatePlan]:
    """Hire rate, yearly indexation on 1 March, some promotions and FTE changes in the last year,
    and now and then a same-date correction (a superseded row)."""
    years = (today - hire_date).days / 365.25
    salary_today = rng.uniform(low, high)
    salary = salary_today / (1.065**years)  # what the same job paid when they were hired
    rows = [RatePlan(hire_date, fte, _round_salary(salary), "приём на работу")]
    for year in range(hire_date.year + 1, today.year + 1):
        indexation = dt.date(year, 3, 1)
        if hire_date < indexation <= today:
            salary *= 1 + rng.uniform(0.04, 0.08)
            rows.append(RatePlan(indexation, fte, _round_salary(salary), "ежегодная индексация"))
    year_ago = today - dt.timedelta(days=365)
    if rng.random() < 0.2:
        day = _random_date(rng, max(year_ago, hire_date + dt.timedelta(days=90)), today)
        day = day.replace(day=1) if day.replace(day=1) > hire_date else day
        if day > rows[-1].effective_date:
            salary *= 1 + rng.uniform(0.10, 0.20)
            rows.append(RatePlan(day, fte, _round_salary(salary), "повышение"))
    if rng.random() < 0.05:
        day = _random_date(rng, max(year_ago, hire_date + dt.timedelta(days=30)), today)
        if day > rows[-1].effective_date:
            fte = Decimal("1.00") if fte < 1 else rng.choice((Decimal("0.50"), Decimal("0.75")))
            rows.append(RatePlan(day, fte, _round_salary(salary), "изменение ставки"))
    if rng.random() < 0.02:
        corrected = rng.randrange(len(rows))
        right = rows[corrected]
        wrong = RatePlan(right.effective_date, right.fte, right.salary * 10, right.comment, superseded=True)
        right.comment = "исправление ошибки ввода"
        rows.insert(corrected, wrong)
    return rows


def build_plan(*, employees: int, seed: int, today: dt.date) -> Plan:
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"The demo organisation needs at least {MIN_EMPLOYEES} employees.")
    org_rng = random.Random(f"{seed}:org")
    names_rng = random.Random(f"{seed}:names")
    dates_rng = random.Random(f"{seed}:dates")
    pay_rng = random.Random(f"{seed}:pay")
    work_rng = random.Random(f"{seed}:work")

    departments = _build_departments(employees)
    by_name = {d.name: d for d in departments if d.level == 2}
    with_children = {d.parent for d in departments if d.parent is not None}
    window_start = _months_back(today, TIMESHEET_MONTHS)

    # Seats: one head per department, the three fixed non-head logins, the rest weighted at random.
    seats: list[tuple[int, bool, str | None]] = [(d.key, True, None) for d in departments]
    seats += [
        (by_name[MANAGER_DEPARTMENT].key, False, "employee"),
        (by_name[OUTSIDER_DEPARTMENT].key, False, "outsider"),
        (by_name[HR_DEPARTMENT].key, False, "hr"),
    ]
    weights = [_department_weight(d, d.key in with_children) for d in departments]
    rest = employees - len(seats)
    seats += [(d.key, False, None) for d in org_rng.choices(departments, weights=weights, k=rest)]

    people: list[PersonPlan] = []
    positions: dict[str, int] = {}
    used_usernames: dict[str, int] = {}
    for index, (department_key, is_head, login) in enumerate(seats):
        department = departments[department_key]
        names = _make_person_names(names_rng, used_usernames)
        if is_head:
            position, low, high, extra = HEAD_POSITIONS[department.level]
        else:
            position, low, high, extra = org_rng.choice(AREA_POSITIONS[department.area])
        positions[position] = extra
        if is_head and department.name == MANAGER_DEPARTMENT:
            login = "manager"
        fixed = login is not None
        # Heads and the fixed logins have been here a while; 12% of the others joined recently.
        if is_head or fixed or dates_rng.random() >= 0.12:
            hire_date = _random_date(dates_rng, today - dt.timedelta(days=12 * 365), window_start - dt.timedelta(1))
        else:
            hire_date = _random_date(dates_rng, window_start, today - dt.timedelta(days=14))
        termination_date = None
        if not (is_head or fixed) and dates_rng.random() < 0.03:
            first = max(window_start, hire_date + dt.timedelta(days=30))
            if first < today - dt.timedelta(days=2):
                termination_date = _random_date(dates_rng, first, today - dt.timedelta(days=2))
        fte = Decimal("1.00")
        if not (is_head or fixed):
            roll = pay_rng.random()
            fte = (
                Decimal("0.50")
                if roll < 0.05
                else Decimal("0.75")
                if roll < 0.08
                else Decimal("0.25")
                if roll < 0.10
                else fte
            )
        rates = _rates(pay_rng, hire_date=hire_date, today=today, low=low, high=high, fte=fte)
        number = f"{PERSONNEL_PREFIX}{index + 1:05d}"
        username = login or str(names["username"])
        person = PersonPlan(
            index=index,
            personnel_number=number,
            username=username,
            last_name=str(names["last_name"]),
            first_name=str(names["first_name"]),
            patronymic=str(names["patronymic"]),
            female=bool(names["female"]),
            email=f"{username}@{EMAIL_DOMAIN}",
            language="en" if work_rng.random() < 0.05 else "ru",
            department=department_key,
            position=position,
            hire_date=hire_date,
            termination_date=termination_date,
            rates=rates,
            hr=department.area == "hr",
            login=login,
            off_day_worker=login == "employee"
            or work_rng.random() < OFF_DAY_WORKERS.get(department.area, OFF_DAY_WORKERS_DEFAULT),
            overtime_worker=work_rng.random() < 0.04,
        )
        people.append(person)
        if is_head:
            department.head = index
    return Plan(
        seed=seed,
        today=today,
        window_start=window_start,
        window_end=today - dt.timedelta(days=1),
        departments=departments,
        people=people,
        positions=positions,
    )


# --- timesheets -----------------------------------------------------------------------------------

# date → (kind, shortened) for every date that differs from a plain Monday–Friday week; kinds as in
# leave.CalendarDay: public_holiday, day_off, working_weekend, working_day.
Calendar = Mapping[dt.date, tuple[str, bool]]
REGULAR_DAY_HOURS = Decimal("8")  # five-day 40-hour week


def _hours(hours: Decimal, fte: Decimal) -> Decimal:
    return (hours * fte).quantize(CENTS, rounding=ROUND_HALF_UP)  # rounded once, to the hundredth


def timesheet_rows(
    person: PersonPlan, employee_id: int, calendar: Calendar, start: dt.date, end: dt.date, seed: int
) -> Iterator[tuple[int, dt.date, str, Decimal, bool]]:
    """(employee id, date, kind, hours, day off instead) for each day worked between start and end.

    Working days: 8 h × FTE, one hour less on a shortened pre-holiday day (art. 95). Off-day
    workers sometimes work a public holiday (kind `holiday`) or a weekend (`weekend`), and some of
    them take another day off instead of double pay (art. 153)."""
    rng = random.Random(f"{seed}:timesheet:{person.index}")
    first = max(start, person.hire_date)
    last = min(end, person.termination_date) if person.termination_date else end
    rates = [r for r in person.rates if not r.superseded]
    rate_index = 0
    day = first
    one_day = dt.timedelta(days=1)
    while day <= last:
        while rate_index + 1 < len(rates) and rates[rate_index + 1].effective_date <= day:
            rate_index += 1
        fte = rates[rate_index].fte
        special = calendar.get(day)
        if special is None:
            working, shortened, holiday = day.weekday() < 5, False, False
        else:
            kind, shortened = special
            working = kind in ("working_day", "working_weekend")
            holiday = kind == "public_holiday"
        if working:
            hours = REGULAR_DAY_HOURS - (1 if shortened else 0)
            yield (employee_id, day, "regular", _hours(hours, fte), False)
            if person.overtime_worker and rng.random() < 0.05:
                yield (employee_id, day, "overtime", Decimal(rng.randint(1, 3)).quantize(CENTS), False)
        elif person.off_day_worker and rng.random() < (0.35 if holiday else 0.06):
            hours = Decimal(rng.choice((4, 6, 8, 8, 8)))
            yield (employee_id, day, "holiday" if holiday else "weekend", hours.quantize(CENTS), rng.random() < 0.3)
        day += one_day
