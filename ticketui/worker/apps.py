from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "ticketui.worker"
    verbose_name = "Task worker"
