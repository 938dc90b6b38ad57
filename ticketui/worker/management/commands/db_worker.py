"""`manage.py db_worker`: django-tasks-db's worker, plus a heartbeat (heartbeat.py) and the
routine tasks a worker starts: keeping the audit chain's head outside the database, and the
poll for unread engineer messages and the scheduled sync of the ticket list."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as TasksDbWorker

from ticketui.audit.tasks import head_keep_schedule
from ticketui.tickets.conversation.tasks import unread_poll_schedule
from ticketui.tickets.sync.tasks import sync_schedule_ensure
from ticketui.worker.heartbeat import Heartbeat


class Command(TasksDbWorker):
    help = "Run a database background worker that records a heartbeat while it lives"

    def handle(self, *args, reload: bool, batch: bool, worker_id: str, **options) -> None:
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent only restarts the child, which runs this again and beats.
            return super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        try:
            head_keep_schedule()
            unread_poll_schedule()
            sync_schedule_ensure()
            super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
