"""A task that takes its time, for the worker tests (imported by the worker by its path)."""

import time

from django.tasks import task


@task()
def sleep_task(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
