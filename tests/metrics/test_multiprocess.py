"""With PROMETHEUS_MULTIPROC_DIR, one scrape adds up what every process counted (gunicorn's
processes and the worker), whichever process answers it."""

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.django_db

ONE_PROCESS_CALLS = textwrap.dedent(
    """
    import os
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
    django.setup()
    from ticketui.metrics.recorders import login_failure_record, upstream_call_record
    from ticketui.osm.results import CallResult, Outcome, PreparedCall

    call = PreparedCall(method="POST", path="/v2/servicerequest/cases/CS9/action", body={}, headers={})
    upstream_call_record(CallResult(call=call, outcome=Outcome.SUCCEEDED, duration_ms=120.0), True)
    login_failure_record(None)
    """
)
ACTION = {"method": "POST", "endpoint": "/v2/servicerequest/cases/{case_id}/action"}


def test_a_scrape_adds_up_the_counts_of_every_process(tmp_path, settings, scrape):
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", ONE_PROCESS_CALLS], env=environment, check=True, timeout=120
        )
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)

    assert scrape.value("ticketui_upstream_calls_total", **ACTION, outcome="succeeded") == 2
    assert scrape.value("ticketui_upstream_call_duration_seconds_count", **ACTION) == 2
    assert scrape.value("ticketui_upstream_call_duration_seconds_bucket", **ACTION, le="0.25") == 2
    assert scrape.value("ticketui_login_failures_total") == 2
    assert scrape.value("ticketui_tasks_ready", queue="default") == 0  # scrape-time series too
