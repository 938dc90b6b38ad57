"""The conversation's background work (django-tasks-db's worker): the unread-messages poll. The
worker queues a run when it starts (ticketui.worker's db_worker calls unread_poll_schedule) and
each run queues the next CONVERSATION_POLL_SECONDS later; 0 turns the poll off. At most one run
waits in the queue (two workers starting at the same moment may queue two; the next run then
finds one waiting and queues none)."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from ticketui.worker.routine import routine_enqueue

from .runner import unread_poll


@task()
def unread_poll_task() -> dict[str, int]:
    try:
        report = unread_poll()
    finally:
        unread_poll_schedule(delay=timedelta(seconds=settings.CONVERSATION_POLL_SECONDS))
    return {"asked": report.asked, "changed": report.changed, "failed": report.failed_batches}


def unread_poll_schedule(*, delay: timedelta = timedelta(0)) -> bool:
    """Queue a poll `delay` from now unless one is waiting or the poll is off."""
    if settings.CONVERSATION_POLL_SECONDS <= 0:
        return False
    return routine_enqueue(unread_poll_task, delay=delay)
