# Severity and labels on a ticket (nullable columns: SQLite adds them without remaking the
# table, so 0015's triggers stay), the names the list filters offer, and unread counts.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0016_sqlite_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TicketTag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("label", "Label"), ("severity", "Severity")], max_length=10
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tickets.ticket",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "name", "ticket"), name="ticket_tag_unique"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="ticket",
            name="labels",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ticket",
            name="severity",
            field=models.CharField(blank=True, max_length=100, null=True),
        ),
        migrations.AddField(
            model_name="ticket",
            name="unread_messages",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["severity", "upstream_created_at", "id"], name="ticket_severity_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["unread_messages", "upstream_created_at", "id"], name="ticket_unread_newest"
            ),
        ),
    ]
