"""Routine tasks that reschedule themselves: each run queues the next, and a worker that starts
queues the first. What they share is the rule for queueing one."""

from datetime import timedelta

from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


def routine_enqueue(task, *, delay: timedelta) -> bool:
    """Queue `task` to run `delay` from now unless a run of it is already waiting; True if this
    queued it. The caller holds the lock that makes two workers starting together queue one."""
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()
    if not waiting:
        task.using(run_after=timezone.now() + delay).enqueue()
    return not waiting
