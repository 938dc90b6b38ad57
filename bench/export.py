"""How fast a streamed CSV export runs through Django's request handling, and how much the process's
memory grows while it does (a streamed export should stay flat at any size)."""

import gc
import resource
import time
from pathlib import Path

from django.test import Client

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(key: str) -> int | None:
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Start the peak (VmHWM) again from the current size; False where Linux does not allow it."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def export_throughput(client: Client, url: str) -> dict:
    """Download `url` once to the last byte; rows (lines after the header), seconds, rows per
    second, and the peak growth of resident memory in MB over the size before the request."""
    gc.collect()
    before_kb = _status_kb("VmRSS")
    if before_kb is None or not _reset_peak():
        # Without /proc: the peak since the process started, so a lower bound of the growth.
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak_kb = _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = max(lines - 1, 0)
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_mb": round(max(peak_kb - before_kb, 0) / 1024, 1),
    }
