"""`Employee.weekly_hours` becomes the employee's own working week, empty meaning 40 h × the FTE in force.

40 (the old default: a full-time week the FTE then scaled) becomes empty, which keeps every such employee's
hour norm and hourly rate as they were. Other values stay: they are read as the employee's own week from now on
(docs/decisions/holiday-work-rate.md says why, and what to check).
"""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models


def forty_to_empty(apps, schema_editor):
    apps.get_model("staff", "Employee").objects.filter(weekly_hours=40).update(weekly_hours=None)


def empty_to_forty(apps, schema_editor):
    apps.get_model("staff", "Employee").objects.filter(weekly_hours__isnull=True).update(weekly_hours=40)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0005_admin_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="employee",
            name="weekly_hours",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="The hours this employee works a week under their contract: 20 for a half-time job on a 40-hour week, 36 for reduced working time (art. 92), 18 for half of a 36-hour week. Leave empty for the normal 40-hour week × the FTE of the pay rate in force (a half-timer then works 20 hours). The FTE only says which share of the salary is paid; it does not shorten this week a second time.",
                max_digits=3,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("1")),
                    django.core.validators.MaxValueValidator(Decimal("40")),
                ],
                verbose_name="own working week, hours",
            ),
        ),
        migrations.AlterField(
            model_name="historicalemployee",
            name="weekly_hours",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="The hours this employee works a week under their contract: 20 for a half-time job on a 40-hour week, 36 for reduced working time (art. 92), 18 for half of a 36-hour week. Leave empty for the normal 40-hour week × the FTE of the pay rate in force (a half-timer then works 20 hours). The FTE only says which share of the salary is paid; it does not shorten this week a second time.",
                max_digits=3,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("1")),
                    django.core.validators.MaxValueValidator(Decimal("40")),
                ],
                verbose_name="own working week, hours",
            ),
        ),
        migrations.RunPython(forty_to_empty, empty_to_forty),
    ]
