"""Reads for syncs: the latest run, which the ticket list shows."""

from .models import SyncRun


def sync_latest() -> SyncRun | None:
    return SyncRun.objects.order_by("-created_at", "-id").first()
