"""`python -m bench.export [--records N]`: seed N audit records into the database named by
DATABASE_URL (if it holds fewer), export them as a team lead through the audit review's CSV
export, and print rows per second and the export's peak memory growth.
`export_throughput(client, url)` is the measurement alone, for bench.run."""

import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.seed import bench_users, seed_audit_records  # noqa: E402
from bench.signin import sign_in  # noqa: E402
from ticketui.audit.models import AuditRecord  # noqa: E402

EXPORT_URL = "/audit/export.csv?kind=operation"
STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def _peak_rss_kb() -> int:
    """The process's peak resident memory so far, in KiB."""
    if STATUS.exists():
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _reset_peak_rss() -> bool:
    """Bring the peak back down to the current resident size, where Linux allows it; without
    that, the growth measured is only what the export adds above any earlier peak (seeding)."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def export_throughput(client: Client, url: str) -> dict:
    """Request `url` with `client` and consume the streamed CSV as a browser would (nothing
    kept). Rows are the lines after the header: the benchmark's records hold no line breaks."""
    peak_reset = _reset_peak_rss()
    peak_before = _peak_rss_kb()
    started = time.perf_counter()
    response = client.get(url)
    lines = 0
    size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    growth_mb = (_peak_rss_kb() - peak_before) / 1024
    rows = max(lines - 1, 0)
    return {
        "status": response.status_code,
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds else 0,
        "peak_mb": round(growth_mb, 1),  # peak memory growth
        "peak_measured_as": "VmHWM after reset" if peak_reset else "ru_maxrss delta",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_test_environment()
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not served
    call_command("migrate", verbosity=0)
    users = bench_users()
    present = AuditRecord.objects.filter(kind="operation").count()
    if present < args.records:
        started = time.perf_counter()
        seed_audit_records(args.records - present, 100_000, list(users.values()))
        print(f"seeded {args.records - present:,} records in {time.perf_counter() - started:.0f} s")
    lead = Client()
    sign_in(lead, users["Team lead"])
    print(f"Export of {args.records:,} records on {connection.vendor}:")
    figures = export_throughput(lead, EXPORT_URL)
    for name, value in figures.items():
        print(f"  {name:<22} {value}")


if __name__ == "__main__":
    sys.exit(main())
