"""`make run`'s set-up step: load the production calendars and, on an empty database, the demo org."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from staff.models import Employee


class Command(BaseCommand):
    help = "Load production calendars and create the demo organisation when the database is empty."

    def handle(self, *args: object, **options: object) -> None:
        commands = get_commands()
        if "load_calendar" in commands:
            call_command("load_calendar")
        if not Employee.objects.exists() and "seed_demo" in commands:
            call_command("seed_demo", employees=200)
        elif Employee.objects.exists():
            self.stdout.write("Demo data present: leaving it as it is.")
