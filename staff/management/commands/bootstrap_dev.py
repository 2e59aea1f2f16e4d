"""`make run`'s set-up step: the broker's folders, the production calendars and, on an empty database, the demo org."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from staff.models import Employee


class Command(BaseCommand):
    help = (
        "Make the filesystem broker's folders, load production calendars and create the demo organisation when "
        "the database is empty."
    )

    def handle(self, *args: object, **options: object) -> None:
        if settings.CELERY_BROKER_URL.startswith("filesystem"):
            # Web, worker and beat all write to these folders; kombu creates none of them but the control one.
            folders = settings.CELERY_BROKER_TRANSPORT_OPTIONS
            for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
                Path(folders[key]).mkdir(parents=True, exist_ok=True)
        commands = get_commands()
        if "load_calendar" in commands:
            call_command("load_calendar")
        if not Employee.objects.exists() and "seed_demo" in commands:
            call_command("seed_demo", employees=200)
        elif Employee.objects.exists():
            self.stdout.write("Demo data present: leaving it as it is.")
