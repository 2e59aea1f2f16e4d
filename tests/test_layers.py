"""The layers of docs/architecture.md: a lower app never imports a higher one, no app imports the web layer, and
the hrportal modules the apps build on import no app.

Read from the syntax tree of every module of each app but its tests and migrations: every import counts, at
module level, inside a function or under `if TYPE_CHECKING:`, and so does `import_module("…")` of a literal.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The apps, lowest first: each may import those before it, none after it.
APPS = ("staff", "notifications", "payroll", "leave", "requests_app", "schedule", "documents", "reports")
FORBIDDEN = {app: APPS[i + 1 :] for i, app in enumerate(APPS)}
# Above every app: the pages that combine apps, their navigation, and the URLconf that routes to them.
WEB = ("hrportal.web", "hrportal.urls")

# (module, imported app): staff.access still holds the request rules; empty this list when they move to
# requests_app.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(f"{prefix}.")


def imports(module: str, source: str, *, is_package: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(line, the dotted names one import statement may load) for every import of a module's source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, [alias.name]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = ".".join(part for part in (package, base) if part)
            # `from hrportal import web` loads hrportal.web: each imported name may be a module.
            yield node.lineno, [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, [node.args[0].value]


def violations(module: str, source: str, forbidden: tuple[str, ...], *, is_package: bool = False) -> list[str]:
    found = []
    for line, names in imports(module, source, is_package=is_package):
        for prefix in forbidden:
            name = next((n for n in names if _matches(n, prefix)), None)
            if name is not None:
                found.append(f"{module} (line {line}) imports {name}: {module.split('.')[0]} may not import {prefix}")
                break
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules(app: str) -> list[Path]:
    return sorted(
        path
        for path in (ROOT / app).rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(ROOT / app).parts[:-1])
    )


def _app_violations() -> list[str]:
    found = []
    for app in APPS:
        for path in app_modules(app):
            module = module_name(path)
            forbidden = tuple(p for p in (*FORBIDDEN[app], *WEB) if (module, p) not in KNOWN_EXCEPTIONS)
            found += violations(module, path.read_text(), forbidden, is_package=path.name == "__init__.py")
    return found


def test_no_app_imports_a_layer_above_it() -> None:
    found = _app_violations()
    assert not found, "imports against the layers (docs/architecture.md):\n" + "\n".join(found)


def test_the_hrportal_modules_the_apps_use_import_no_app() -> None:
    used = {
        name
        for app in APPS
        for path in app_modules(app)
        for _line, names in imports(module_name(path), path.read_text(), is_package=path.name == "__init__.py")
        for name in names[:1]
        if _matches(name, "hrportal") and name != "hrportal"
    }
    assert used, "the apps use hrportal.errors at least"
    found = []
    for module in sorted(used):
        path = ROOT / Path(*module.split(".")).with_suffix(".py")
        if path.exists():
            found += violations(module, path.read_text(), (*APPS, *WEB))
    assert not found, "\n".join(found)


def test_each_known_exception_still_occurs() -> None:
    """An exception that no longer happens must leave the list, so it cannot hide a new one."""
    for module, prefix in KNOWN_EXCEPTIONS:
        path = ROOT / Path(*module.split(".")).with_suffix(".py")
        assert violations(module, path.read_text(), (prefix,)), f"{module} no longer imports {prefix}: unlist it"


# --- the checker itself ----------------------------------------------------------------------------------

SOURCE = """
from typing import TYPE_CHECKING

from staff import access
from hrportal.errors import NotFound
from hrportal import web
import leave.models as leave_models

if TYPE_CHECKING:
    from reports.models import ReportJob


def f():
    from requests_app.models import Request
    from .selectors import current_rate
    from .. import something
    return importlib.import_module("notifications.services")
"""


def test_the_checker_reports_every_kind_of_forbidden_import() -> None:
    found = violations("staff.models", SOURCE, (*FORBIDDEN["staff"], *WEB))
    assert found == [
        "staff.models (line 6) imports hrportal.web: staff may not import hrportal.web",
        "staff.models (line 7) imports leave.models: staff may not import leave",
        "staff.models (line 10) imports reports.models: staff may not import reports",
        "staff.models (line 14) imports requests_app.models: staff may not import requests_app",
        "staff.models (line 17) imports notifications.services: staff may not import notifications",
    ]


def test_the_checker_resolves_relative_imports() -> None:
    names = [n[0] for _line, n in imports("leave.selectors.balances", "from ..models import X\nfrom . import quotes")]
    assert names == ["leave.models", "leave.selectors"]
    names = [n[0] for _line, n in imports("leave.selectors", "from .quotes import quote", is_package=True)]
    assert names == ["leave.selectors.quotes"]


@pytest.mark.parametrize("app", APPS)
def test_the_walk_reads_each_apps_modules_and_skips_tests_and_migrations(app: str) -> None:
    names = {module_name(path) for path in app_modules(app)}
    assert f"{app}.models" in names
    assert not any(".tests" in name or ".migrations" in name for name in names)
