"""`python -m bench.report`: docs/benchmarks.md from bench/results-*.json and this machine."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"
FLOORS = {"Ticket list": "Ticket list floor", "Audit review": "Audit review floor"}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        postgres = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        postgres = "PostgreSQL version unknown"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {postgres}"
    )


def main() -> None:
    results = [json.loads(path.read_text()) for path in sorted(HERE.glob("results-*.json"))]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}.",
        "Reproduce with `make bench` (`SCALE=small make bench` for a quick run).",
        "Times are server-side: Django's whole request handling (middleware, view, queries, template),",
        "measured in-process over many requests; the floor is a bare view running the page's single",
        "indexed query and rendering the same rows in a minimal template.",
        "",
    ]
    for result in results:
        sizes = result["sizes"]
        lines += [
            f"## {result['vendor']} (scale {result['scale']}: {sizes['tickets']:,} tickets, "
            f"{sizes['records']:,} audit records)",
            "",
            "| page | p50 ms | p95 ms | queries | vs floor (p95) |",
            "|---|---:|---:|---:|---:|",
        ]
        pages = {page["name"]: page for page in result["pages"]}
        for page in result["pages"]:
            floor = pages.get(FLOORS.get(page["name"], ""))
            ratio = f"{page['p95_ms'] / floor['p95_ms']:.2f}×" if floor else ""
            lines.append(
                f"| {page['name']} | {page['p50_ms']} | {page['p95_ms']} | {page['queries']} | {ratio} |"
            )
        for name, extra in result.get("extras", {}).items():
            lines.append(f"| {name} | {extra} | | | |")
        service = result["service"]
        lines += [
            "",
            f"Service layer's own cost per operation (submit time minus upstream calls, "
            f"{service['operations']} operations against the sandbox): p50 {service['p50_ms']} ms, "
            f"p95 {service['p95_ms']} ms.",
            "",
        ]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines) + "\n")
    print(DOC.read_text())


if __name__ == "__main__":
    main()
