"""Pay-rate changes: what each replaced, HR's reason for a salary below the minimum wage, and supersession.

Approved changes of one employee and effective date that coexist from before (the last one silently won) are
linked now: each is marked superseded by the one whose pay-rate row is current (else the last approved), and both
histories get the event, attributed to whoever approved the winner. Reverse: the links and those events go.
"""

import django.db.models.deletion
from django.db import migrations, models


MIGRATED = "#{id}"


def link_coexisting(apps, schema_editor):
    details = apps.get_model("requests_app", "RateChangeDetails")
    event = apps.get_model("requests_app", "RequestEvent")
    groups: dict = {}
    approved = details.objects.filter(request__status="approved").select_related("request", "pay_rate")
    for row in approved.order_by("request__decided_at", "request_id"):
        groups.setdefault((row.request.employee_id, row.effective_date), []).append(row)
    for rows in groups.values():
        if len(rows) < 2:
            continue
        current = [r for r in rows if r.pay_rate is not None and r.pay_rate.superseded_at is None]
        winner = current[-1] if current else rows[-1]
        decided = event.objects.filter(request_id=winner.request_id, action="approved").order_by("-at").first()
        if decided is None:
            continue
        for row in rows:
            if row is winner:
                continue
            row.superseded_by_id = winner.request_id
            row.save(update_fields=["superseded_by"])
            for request_id, action, text in (
                (row.request_id, "superseded", MIGRATED.format(id=winner.request_id)),
                (winner.request_id, "supersedes", f"#{row.request_id}"),
            ):
                event.objects.create(
                    request_id=request_id,
                    action=action,
                    actor_id=decided.actor_id,
                    from_status="approved",
                    to_status="approved",
                    comment=text,
                )


def unlink(apps, schema_editor):
    apps.get_model("requests_app", "RequestEvent").objects.filter(action__in=["superseded", "supersedes"]).delete()
    apps.get_model("requests_app", "RateChangeDetails").objects.update(superseded_by=None)


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0006_admin_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='ratechangedetails',
            name='below_minimum_wage_reason',
            field=models.TextField(blank=True, verbose_name='reason for a salary below the minimum wage'),
        ),
        migrations.AddField(
            model_name='ratechangedetails',
            name='previous_effective_date',
            field=models.DateField(blank=True, null=True, verbose_name='last change before'),
        ),
        migrations.AddField(
            model_name='ratechangedetails',
            name='previous_fte',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=3, null=True, verbose_name='FTE before'),
        ),
        migrations.AddField(
            model_name='ratechangedetails',
            name='previous_salary',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='monthly salary before, RUB'),
        ),
        migrations.AddField(
            model_name='ratechangedetails',
            name='superseded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='supersedes', to='requests_app.request', verbose_name='superseded by'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='action',
            field=models.CharField(choices=[('created', 'created'), ('approved_step', 'approved (step)'), ('approved', 'approved'), ('rejected', 'rejected'), ('cancel_requested', 'cancellation requested'), ('cancel_declined', 'cancellation declined'), ('cancelled', 'cancelled'), ('supersedes', 'supersedes an earlier approved change'), ('superseded', 'superseded by a later approved change')], max_length=20, verbose_name='action'),
        ),
        migrations.RunPython(link_coexisting, unlink),
    ]
