"""Where a test run's time went, from its junit file (`bash .ci/run` writes var/ci-junit.xml).

    .venv/bin/python bench/junit_times.py var/ci-junit.xml [--group "faults or broker"]

Prints the tests' own times summed by top directory (tests/faults, staff/tests...) and in all; with `--group`,
also the sum over the tests that marker expression selects (pytest's own collection, `-m`), e.g. the services
group that `make test` runs on one worker (tests/parallel.py). The sum of the tests' times is what one process
would spend on them; divided by the wall time of a run on several workers, it says how well the workers were used.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def node_ids(case: ET.Element) -> set[str]:
    """The pytest ids a junit testcase may stand for: its classname is the module's dotted path, then any class."""
    parts = (case.get("classname") or "").split(".")
    name = case.get("name") or ""
    return {"/".join(parts[:i]) + ".py::" + "::".join([*parts[i:], name]) for i in range(1, len(parts) + 1)}


def selected(expression: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", "-m", expression],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.strip() for line in out.splitlines() if "::" in line}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("junit", type=Path)
    parser.add_argument("--group", help="a pytest marker expression, e.g. 'faults or broker'")
    args = parser.parse_args()
    cases = list(ET.parse(args.junit).getroot().iter("testcase"))  # noqa: S314 - our own test run's file
    by_dir: dict[str, float] = defaultdict(float)
    for case in cases:
        by_dir["/".join((case.get("classname") or "").split(".")[:2])] += float(case.get("time") or 0)
    for directory, seconds in sorted(by_dir.items(), key=lambda item: -item[1]):
        print(f"{directory:32} {seconds:8.1f} s")
    total = sum(by_dir.values())
    print(f"{'all ' + str(len(cases)) + ' tests':32} {total:8.1f} s")
    if args.group:
        ids = selected(args.group)
        group = [case for case in cases if node_ids(case) & ids]
        seconds = sum(float(case.get("time") or 0) for case in group)
        print(f"{'-m ' + repr(args.group) + ': ' + str(len(group)) + ' tests':32} {seconds:8.1f} s")


if __name__ == "__main__":
    main()
