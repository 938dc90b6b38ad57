"""Support and team leads may claim tickets; team leads may give any ticket to anyone and remove
views shared with the team."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from ticketui.tickets.roles import roles_ensure

ADDED = {
    "Support": ("claim_ticket",),
    "Team lead": ("claim_ticket", "assign_ticket", "delete_savedview"),
}


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_permissions(apps, schema_editor):
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="tickets", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0012_ticket_owner_saved_views_and_ageing")]
    operations = [migrations.RunPython(add_permissions, remove_permissions)]
