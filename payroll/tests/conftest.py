"""The leave fixtures the payroll tests use: the standard leave types for a quote."""

from leave.tests.conftest import leave_types  # noqa: F401  (a fixture)
