"""`make run`'s set-up step: the broker's folders, the production calendars and, on an empty database, the demo org."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from hrportal.celery import ensure_broker_folders
from staff.models import Employee


class Command(BaseCommand):
    help = (
        "Make the filesystem broker's folders, load production calendars and create the demo organisation when "
        "the database is empty."
    )

    def handle(self, *args: object, **options: object) -> None:
        # Web, worker and beat all write to the filesystem broker's folders; the web server makes none itself.
        ensure_broker_folders()
        commands = get_commands()
        if "load_calendar" in commands:
            call_command("load_calendar")
        if not Employee.objects.exists() and "seed_demo" in commands:
            call_command("seed_demo", employees=200)
        elif Employee.objects.exists():
            self.stdout.write("Demo data present: leaving it as it is.")
