"""Each leave account keeps the last month of service accrued and the days its accrual entries add up to."""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations, models

FILL_CHUNK = 5000


def fill_totals(apps, schema_editor):
    """The totals of the accrual entries posted so far (keys end in the month of service: accrual:E:T:month)."""
    LeaveAccount = apps.get_model("leave", "LeaveAccount")
    LeaveEntry = apps.get_model("leave", "LeaveEntry")
    db = schema_editor.connection.alias
    months: dict[int, int] = defaultdict(int)
    days: dict[int, Decimal] = defaultdict(Decimal)
    entries = (
        LeaveEntry.objects.using(db)
        .filter(kind="accrual")
        .order_by()
        .values_list("account_id", "idempotency_key", "days")
        .iterator(chunk_size=FILL_CHUNK)
    )
    for account_id, key, amount in entries:
        months[account_id] = max(months[account_id], int(key.rsplit(":", 1)[1]))
        days[account_id] += amount
    ids = sorted(days)
    for start in range(0, len(ids), FILL_CHUNK):
        accounts = list(LeaveAccount.objects.using(db).filter(pk__in=ids[start : start + FILL_CHUNK]))
        for account in accounts:
            account.accrued_months = months[account.pk]
            account.accrued_days = days[account.pk]
        LeaveAccount.objects.using(db).bulk_update(accounts, ["accrued_months", "accrued_days"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("leave", "0007_admin_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="leaveaccount",
            name="accrued_days",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0.00"), max_digits=9, verbose_name="days accrued"
            ),
        ),
        migrations.AddField(
            model_name="leaveaccount",
            name="accrued_months",
            field=models.PositiveIntegerField(default=0, verbose_name="last month of service accrued"),
        ),
        # Backwards the columns go with their fields: nothing to undo.
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
    ]
