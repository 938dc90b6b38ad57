"""Team leads may start a sync from the dashboard (the permission arrived with SyncRun)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from ticketui.tickets.roles import roles_ensure


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_sync_runs_and_satisfaction_dimensions")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
