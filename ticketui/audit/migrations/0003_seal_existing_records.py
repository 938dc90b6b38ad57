"""Seals the records written before the chain existed, oldest first, into a new chain."""

from django.db import migrations


def seal_existing(apps, schema_editor):
    from ticketui.audit.chain import GENESIS_HASH, record_content, seal_hash, written_pending

    AuditRecord = apps.get_model("audit", "AuditRecord")
    db = schema_editor.connection.alias
    prev, seq = GENESIS_HASH, 0
    for record in AuditRecord.objects.using(db).order_by("id").iterator(chunk_size=2000):
        seq += 1
        digest = seal_hash(
            record_content(record, completed_later=written_pending(record), seal_format=1),
            seq=seq,
            prev=prev,
        )
        AuditRecord.objects.using(db).filter(pk=record.pk).update(
            seq=seq, prev_hash=prev, hash=digest
        )
        prev = digest


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_fields_and_review_indexes")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
