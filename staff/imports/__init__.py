"""Imports from files (CSV and XLSX) for the admin and `manage.py import_staff`: see engine.py."""
