"""Team leads may read the satisfaction report and choose the survey's required dimensions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from ticketui.tickets.roles import roles_ensure

TEAM_LEAD_ADDITIONS = ("view_satisfaction_report", "change_satisfactiondimension")


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the role needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Team lead").first()
    if group is not None:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="tickets", codename__in=TEAM_LEAD_ADDITIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_satisfaction_surveys"),
    ]
    operations = [migrations.RunPython(add_permissions, remove_permissions)]
