"""The audit trail: one record per operation sent upstream and per notable event (logins, tracking,
syncs, exports). Operation records are written *pending* before the upstream call and completed
after it, so a crash in between leaves a pending record, never nothing. No secret is stored."""

from django.conf import settings
from django.db import models

from ticketui.caching.labels import choice_label
from ticketui.osm.catalogue import action_label

from .chain import chain_insert, chain_insert_many
from .kinds import FAILURE_OUTCOMES, Kind, RecordOutcome

__all__ = ["FAILURE_OUTCOMES", "AuditRecord", "Kind", "OperationKey", "RecordOutcome"]


class AuditRecordManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """Many records at once, each sealed into the chain like a single write."""
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise RecordImmutable(RECORD_IMMUTABLE)  # a skipped row would leave a hole
        return chain_insert_many(
            list(objs),
            model=self.model,
            using=self.db,
            insert=lambda records: super(AuditRecordManager, self).bulk_create(
                records, *args, **kwargs
            ),
        )


class AuditRecord(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as written, so the record still says who acted if the account is renamed.
    actor_username = models.CharField(max_length=150, blank=True)
    case_id = models.CharField(max_length=64, blank=True, db_index=True)
    action_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(
        max_length=16, choices=RecordOutcome.choices, default=RecordOutcome.PENDING
    )

    # The request as sent (never its auth headers).
    request_method = models.CharField(max_length=8, blank=True)
    request_path = models.TextField(blank=True)
    request_body = models.JSONField(null=True, blank=True)
    request_headers = models.JSONField(default=dict, blank=True)

    # The upstream's answer.
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_msg = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    response_truncated = models.BooleanField(default=False)
    request_id = models.CharField(max_length=128, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    detail = models.TextField(blank=True)

    # Who was at the keyboard, and the event's own data (e.g. an export's filter).
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # A reconciliation record points at the operation it settles.
    reconciles = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="settlements"
    )

    # Tamper evidence (chain.py): the seal written with the record, and for an operation the
    # seal written when it completed. Both are links of the one chain, numbered by `seq`.
    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    completion_seq = models.BigIntegerField(unique=True, null=True, blank=True)
    completion_prev_hash = models.CharField(max_length=64, blank=True)
    completion_hash = models.CharField(max_length=64, blank=True)
    # How the seals were computed (chain.SEAL_FORMAT at the time): format 1 covered neither the
    # record's id nor the record before it; format 2 covers both.
    seal_format = models.PositiveSmallIntegerField(db_default=1)
    # The record whose seal each seal follows (not a foreign key: it names a record even after
    # that record was removed, which is what audit_verify then reports).
    prev_record_id = models.BigIntegerField(null=True, blank=True)
    completion_prev_record_id = models.BigIntegerField(null=True, blank=True)

    objects = AuditRecordManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_all_records", "Can review every audit record")]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="audit_actor_created"),
            models.Index(fields=["case_id", "-created_at"], name="audit_case_created"),
            # The review page's filters and sort orders (keyset pagination on (column, id)).
            models.Index(fields=["-created_at", "-id"], name="audit_created_id"),
            models.Index(fields=["kind", "-created_at"], name="audit_kind_created"),
            models.Index(fields=["action_id", "-created_at"], name="audit_action_created"),
            models.Index(fields=["outcome", "-created_at"], name="audit_outcome_created"),
            models.Index(fields=["error_code", "-created_at"], name="audit_error_created"),
            models.Index(fields=["actor_username", "id"], name="audit_username_id"),
            models.Index(fields=["case_id", "id"], name="audit_case_id"),
            models.Index(fields=["-duration_ms", "-id"], name="audit_duration_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.action_id} {self.case_id} ({self.outcome})".strip()

    def save(self, *args, **kwargs) -> None:
        """A record is written once, sealed into the chain; it is never saved again (the one
        allowed completion goes through services.audit_operation_finish)."""
        if not self._state.adding:
            raise RecordImmutable(RECORD_IMMUTABLE)
        chain_insert(self, using=kwargs.get("using"))

    def delete(self, *args, **kwargs):
        raise RecordImmutable(RECORD_IMMUTABLE)

    def get_kind_display(self) -> str:
        return choice_label(Kind, self.kind)

    def get_outcome_display(self) -> str:
        return choice_label(RecordOutcome, self.outcome)

    @property
    def action_shown(self) -> str:
        """The action's name beside the kind's ("Operation: Close"), or "" when there is none
        or it only repeats the kind (a survey's action is "Survey")."""
        if not self.action_id:
            return ""
        action = action_label(self.action_id)
        return "" if action == self.get_kind_display() else action

    @property
    def is_pending(self) -> bool:
        return self.outcome == RecordOutcome.PENDING


RECORD_IMMUTABLE = "Audit records cannot be changed or deleted."


class RecordImmutable(Exception):
    """Raised by any attempt to save an existing audit record or delete one."""


class OperationKey(models.Model):
    """The one-time key of a rendered operation form. The database refuses a second operation
    with the same key, so a form sent twice (a double click, a retry after a lost answer, two
    tabs) makes one upstream call. Kept beside the record, not in it, because a key is plumbing,
    not evidence: the record's seal does not need it."""

    key = models.UUIDField(primary_key=True)
    record = models.OneToOneField(
        AuditRecord, on_delete=models.PROTECT, related_name="operation_key"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.key)
