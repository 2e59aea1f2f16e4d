"""The demo organisation of `seed_demo`: name data, the deterministic plan, the production calendar.

`plan.build_plan` is pure Python (no database): the same (employees, seed, today) always gives the
same organisation, which the command then writes with bulk inserts.
"""
