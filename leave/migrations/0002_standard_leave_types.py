"""The standard leave types of the Labour Code. Reversible: the reverse removes exactly these codes."""

from decimal import Decimal

from django.db import migrations

STANDARD_TYPES = [
    {
        "code": "annual",
        "name_ru": "Ежегодный основной оплачиваемый отпуск",
        "name_en": "Annual paid leave",
        "paid": True,
        "counting": "calendar_excluding_holidays",  # art. 120
        "yearly_entitlement": Decimal("28.00"),  # art. 115
        "adds_personal_days": False,
        "needs_balance": True,
        "keeps_average_earnings": True,  # art. 114
        "absence_kind": "leave",
        "sort_order": 10,
    },
    {
        "code": "additional",
        "name_ru": "Ежегодный дополнительный оплачиваемый отпуск",
        "name_en": "Additional paid leave",
        "paid": True,
        "counting": "calendar_excluding_holidays",  # art. 120
        "yearly_entitlement": Decimal("0.00"),  # the employee's and the position's days (art. 116, 119)
        "adds_personal_days": True,
        "needs_balance": True,
        "keeps_average_earnings": True,
        "absence_kind": "leave",
        "sort_order": 20,
    },
    {
        "code": "unpaid",
        "name_ru": "Отпуск без сохранения заработной платы",
        "name_en": "Unpaid leave",
        "paid": False,
        "counting": "calendar",  # art. 128
        "yearly_entitlement": Decimal("0.00"),
        "adds_personal_days": False,
        "needs_balance": False,
        "keeps_average_earnings": False,
        "absence_kind": "unpaid",
        "sort_order": 30,
    },
    {
        "code": "study",
        "name_ru": "Учебный отпуск",
        "name_en": "Study leave",
        "paid": True,
        "counting": "calendar",  # art. 173–176: calendar days, by the educational institution's certificate
        "yearly_entitlement": Decimal("0.00"),
        "adds_personal_days": False,
        "needs_balance": False,
        "keeps_average_earnings": True,
        "absence_kind": "leave",
        "sort_order": 40,
    },
    {
        "code": "sick",
        "name_ru": "Временная нетрудоспособность",
        "name_en": "Sick leave",
        "paid": True,  # by the Social Fund's rules, not by average earnings for leave
        "counting": "calendar",
        "yearly_entitlement": Decimal("0.00"),
        "adds_personal_days": False,
        "needs_balance": False,
        "keeps_average_earnings": False,
        "absence_kind": "sick",
        "sort_order": 50,
    },
]


def create_types(apps, schema_editor):
    LeaveType = apps.get_model("leave", "LeaveType")
    for values in STANDARD_TYPES:
        LeaveType.objects.update_or_create(code=values["code"], defaults=values)


def remove_types(apps, schema_editor):
    LeaveType = apps.get_model("leave", "LeaveType")
    LeaveType.objects.filter(code__in=[t["code"] for t in STANDARD_TYPES], accounts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("leave", "0001_initial")]

    operations = [migrations.RunPython(create_types, remove_types)]
