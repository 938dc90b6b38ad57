"""`python -m bench.report`: docs/benchmarks.md from bench/results-<vendor>-<scale>.json (whichever
exist) and this machine, each figure beside the performance target it is held to."""

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"
SCALES = ("small", "medium", "full")  # smallest first
MAX_QUERIES = 8  # a warm request's; a cold one adds what the caches spare the warm ones
EXPORT_MIN_ROWS_PER_S = 100_000
EXPORT_MAX_MB = 50
SERVICE_MAX_COMMITS = 1.5  # the service layer's own cost, in bare durable commits (p50)


@dataclass(frozen=True)
class Target:
    p95_ms: float | None = None
    floor_ratio: float | None = None

    def describe(self, *, has_floor: bool) -> str:
        parts = [f"p95 ≤ {self.p95_ms:g} ms"] if self.p95_ms else []
        if self.floor_ratio and has_floor:
            parts.append(f"≤ {self.floor_ratio:g}× floor")
        parts.append(f"≤ {MAX_QUERIES} queries")
        return ", ".join(parts)

    def misses(self, cold: dict, warm: dict, ratio: float | None) -> list[str]:
        """What the cold figures miss (times, floor), and the warm request's query count."""
        missed = []
        if self.p95_ms and cold["p95_ms"] > self.p95_ms:
            missed.append("p95")
        if self.floor_ratio and ratio is not None and ratio > self.floor_ratio:
            missed.append("floor")
        if warm["queries"] > MAX_QUERIES:
            missed.append("queries")
        return missed


# What each kind of page is held to (run.py's scenarios name the kind); the issue sets no time for
# the satisfaction report, only the query count every page is held to.
TARGETS = {
    "page": Target(p95_ms=30, floor_ratio=1.5),
    "search": Target(p95_ms=50),
    "fixed": Target(p95_ms=5),  # the empty signed-in page: middleware, session, user, layout
    "report": Target(),
}


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


def verdict(missed: list[str]) -> str:
    return "✗ " + ", ".join(missed) if missed else "✓"


def _ratio(page: dict, floor: dict | None, state: str) -> float | None:
    return page[state]["p95_ms"] / floor[state]["p95_ms"] if floor else None


def _times(page: dict, ratio: float | None) -> str:
    shown = f"{page['p50_ms']:.1f} | {page['p95_ms']:.1f} | "
    return shown + (f"{ratio:.2f}×" if ratio is not None else "")


def page_table(result: dict) -> list[str]:
    """Each page cold (what the targets apply to) and warm, each beside its floor in the same
    state; the floors themselves are listed too."""
    lines = [
        "| page | cold p50 ms | cold p95 ms | cold vs floor (p95) | warm p50 ms | warm p95 ms "
        "| warm vs floor (p95) | queries cold / warm | target (cold) | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    pages = {page["name"]: page for page in result["pages"]}
    floors = {page.get("floor") for page in result["pages"]}
    for page in result["pages"]:
        floor = pages.get(page.get("floor") or "")
        cold, warm = page["cold"], page["warm"]
        target = TARGETS.get(page.get("target") or "")
        if target:
            wanted = target.describe(has_floor=floor is not None)
            met = verdict(target.misses(cold, warm, _ratio(page, floor, "cold")))
        else:
            wanted, met = ("(floor)" if page["name"] in floors else "—"), ""
        name = page["name"]
        fewest = min(cold["requests"], warm["requests"])
        if fewest < result["sizes"]["requests"]:
            name += f" ({fewest} requests: too slow for more)"
        lines.append(
            f"| {name} | {_times(cold, _ratio(page, floor, 'cold'))} "
            f"| {_times(warm, _ratio(page, floor, 'warm'))} "
            f"| {cold['queries']} / {warm['queries']} | {wanted} | {met} |"
        )
    return lines


def cost_table(result: dict) -> list[str]:
    export, service, counts = result["export"], result["service"], result["status_counts"]
    export_missed = []
    if export["rows_per_s"] < EXPORT_MIN_ROWS_PER_S:
        export_missed.append("rows/s")
    if export["peak_mb"] >= EXPORT_MAX_MB:
        export_missed.append("memory")
    commit = service["commit_floor"]
    commits = service["p50_ms"] / commit["p50_ms"] if commit["p50_ms"] else float("inf")
    service_missed = ["p50"] if commits > SERVICE_MAX_COMMITS else []
    return [
        "| measure | rows | rows/s | peak MB | p50 ms | p95 ms | target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
        f"| CSV export of every audit record ({export['seconds']} s) | {export['rows']:,} "
        f"| {export['rows_per_s']:,} | {export['peak_mb']} | | "
        f"| ≥ {EXPORT_MIN_ROWS_PER_S:,} rows/s, < {EXPORT_MAX_MB} MB | {verdict(export_missed)} |",
        f"| Service layer's own cost per operation ({service['operations']} operations; "
        f"{commits:.1f}× one durable commit) | | | | {service['p50_ms']} | {service['p95_ms']} "
        f"| p50 ≤ {SERVICE_MAX_COMMITS:g}× one durable commit | {verdict(service_missed)} |",
        f"| One durable commit (the service layer's floor) | | | | {commit['p50_ms']} "
        f"| {commit['p95_ms']} | (floor) | |",
        f"| Status counts, cache cold (the list's chips) | | | | {counts['p50_ms']} "
        f"| {counts['p95_ms']} | no full scan: the same at every scale | |",
    ]


def breakdown_table(result: dict) -> list[str]:
    """Where each cold page's time goes (bench/breakdown.py), beside its floor's."""
    rows = result.get("breakdown")
    if not rows:
        return []
    lines = [
        "Where a cold request's time goes (mean ms over cold requests, measured by wrapping each",
        "stage, which adds a little; SQL is the part of the other stages spent in the database):",
        "",
        "| page | total | middleware | view | Django templates | Jinja2 rows | form widgets "
        "| SQL (queries) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['total']:.1f} | {row['middleware']:.1f} | {row['view']:.1f} "
            f"| {row['templates']:.1f} | {row['rows']:.1f} | {row['widgets']:.1f} "
            f"| {row['sql_ms']:.1f} ({row['sql_queries']:g}) |"
        )
    return lines


def query_table(results: list[dict]) -> list[str]:
    """Queries per page at each scale measured: the same number at every size, and few."""
    if len(results) < 2:
        return [
            f"Queries per page measured at scale {results[0]['scale']} only; "
            "a run at the other scale shows whether they stay constant.",
        ]
    by_scale = [
        {page["name"]: page["warm"]["queries"] for page in result["pages"]} for result in results
    ]
    lines = [
        "| page | "
        + " | ".join(f"queries warm ({r['scale']})" for r in results)
        + " | constant, ≤ 8 |",
        "|---|" + "---:|" * len(results) + "---|",
    ]
    floors = {page.get("floor") for page in results[-1]["pages"]}
    for page in results[-1]["pages"]:
        if page["name"] in floors:
            continue
        counts = [queries.get(page["name"]) for queries in by_scale]
        missed = []
        if len(set(counts)) > 1:
            missed.append("grows")
        if any(count is not None and count > MAX_QUERIES for count in counts):
            missed.append(f"> {MAX_QUERIES}")
        cells = " | ".join("" if count is None else str(count) for count in counts)
        lines.append(f"| {page['name']} | {cells} | {verdict(missed)} |")
    return lines


def section(vendor: str, results: list[dict]) -> list[str]:
    """The largest scale measured in full, and the query counts of every scale measured."""
    result = results[-1]
    sizes = result["sizes"]
    seeding = result.get("seeding_s") or {}
    load = result.get("load_average") or {}
    loaded = (
        f" Load average (1/5/15 min) {', '.join(f'{n:.1f}' for n in load['before'])} as the run "
        f"began, {', '.join(f'{n:.1f}' for n in load['after'])} as it ended."
        if load
        else ""
    )
    if load and max(load["before"][0], load["after"][0]) > (os.cpu_count() or 1):
        loaded += (
            " **The machine ran other work beyond its cores meanwhile: absolute times are"
            " several times an idle machine's; the ratios to floors from the same run are the"
            " figures to read.**"
        )
    again = result.get("remeasured")
    remeasured = (
        f" Measured again on their own (`--only`) at {again['at'][:16].replace('T', ' ')} UTC, "
        f"load {', '.join(f'{n:.1f}' for n in again['load_average']['before'])}: "
        f"{', '.join(again['parts'])}."
        if again
        else ""
    )
    seeded = (
        "seeded in this run: " + ", ".join(f"{what} in {s} s" for what, s in seeding.items())
        if seeding
        else "data seeded by an earlier run"
    )
    return [
        f"## {vendor} (scale {result['scale']}: {sizes['tickets']:,} tickets, "
        f"{sizes['audit_records']:,} audit records, {sizes['surveys']:,} surveys)",
        "",
        f"Measured {result['measured_at'][:16].replace('T', ' ')} UTC, {sizes['requests']} requests "
        f"per page and state after a warm-up; the whole run took {result['run_s']:.0f} s "
        f"({seeded}).{loaded}{remeasured}",
        "",
        *page_table(result),
        "",
        *breakdown_table(result),
        "",
        *cost_table(result),
        "",
        *query_table(results),
        "",
    ]


def conversation_sections() -> list[str]:
    """The ticket page with a long thread (bench/conversation.py), one table per database."""
    found = sorted(HERE.glob("results-conversation-*.json"), reverse=True)  # postgresql first
    if not found:
        return []
    lines = [
        "## The ticket page with 1,000 messages (`bench/conversation.py`)",
        "",
        "The sandbox, served over real HTTP on a free port, holds 1,000 messages on one ticket;",
        "the ticket page (which does not wait for the upstream: the thread comes in its own request",
        "once the page is shown), the conversation it then loads (the newest 20: two ListMessages",
        "calls, the first learns the count; then an older 20: one call, from the offset shown) and",
        "the history with the upstream's operate-log are timed cold and warm as above, each against",
        "the ticket page's floor of the same run. Targets: the ticket page's (p95 ≤ 30 ms, ≤ 1.5×",
        "floor); the fragments p95 ≤ 30 ms.",
        "",
    ]
    for path in found:
        result = json.loads(path.read_text())
        load = result["load_average"]
        lines += [
            f"### {result['vendor']}",
            "",
            f"Measured {result['measured_at'].replace('T', ' ')[:16]} UTC, {result['messages']:,} "
            f"messages, {result['requests']} requests per page and state; load average "
            f"{', '.join(f'{x:.1f}' for x in load['before'])} as it began, "
            f"{', '.join(f'{x:.1f}' for x in load['after'])} as it ended.",
            "",
            "| page | cold p50 ms | cold p95 ms | cold vs floor (p95) | warm p50 ms | warm p95 ms "
            "| queries cold / warm | target (cold) | met |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        pages = result["pages"]
        floor = pages["Ticket page floor"]["cold"]["p95_ms"]
        for name, states in pages.items():
            cold, warm = states["cold"], states["warm"]
            ratio = cold["p95_ms"] / floor if floor else 0
            if name == "Ticket page floor":
                wanted, met, shown = "(floor)", "", ""
            else:
                page = name == "Ticket page"
                wanted = "p95 ≤ 30 ms" + (", ≤ 1.5× floor" if page else "")
                missed = ["p95"] if cold["p95_ms"] > 30 else []
                if page and ratio > 1.5:
                    missed.append("floor")
                met, shown = verdict(missed), f"{ratio:.2f}×"
            lines.append(
                f"| {name} | {cold['p50_ms']:.1f} | {cold['p95_ms']:.1f} | {shown} "
                f"| {warm['p50_ms']:.1f} | {warm['p95_ms']:.1f} "
                f"| {cold['queries']} / {warm['queries']} | {wanted} | {met} |"
            )
        lines.append("")
    return lines


# What the figures say about the targets they miss, and what limits each (the code, not the day).
READING = [
    "## Reading the figures",
    "",
    "- *Status counts* are read from a table the tickets table's triggers keep (a few rows),",
    "  so their cold cost is the same at every scale: no request counts the tickets table.",
    "- *A cold page beside its floor*: the floor renders the same rows bare, so what a cold page",
    "  adds is its own template (the rows' markup, which a warm page takes from the cache, the",
    "  forms, chips and paging). Where a cold page misses 1.5× its floor, that rendering is what",
    "  remains; the queries are the floor's plus a constant few.",
    "- *The empty signed-in page* is middleware, the session (from the cache when warm, else one",
    "  prepared query), one prepared query for the user with their profile, second-factor facts",
    "  and permissions (ticketui/prepared.py: built by the ORM once per process, run as SQL), and",
    "  the layout's template.",
    "- *The service layer on SQLite*: in WAL mode with synchronous=NORMAL a commit does not wait",
    "  for the disk, so it is not durable. An operation's pending record is therefore committed",
    "  with synchronous=FULL (ticketui/durability.py, durable_commits), and the floor is measured",
    "  the same way: the disk's flush. Results from before this change show the floor as an",
    "  unflushed commit (~0.07 ms).",
    "- *What the rest of the service layer's cost is*, per operation: the pending record ~2 ms on",
    "  SQLite and ~3 ms on PostgreSQL (sealing, the ORM's insert; on PostgreSQL six round trips:",
    "  BEGIN, the chain lock, the id and head, two INSERTs, COMMIT), the completion ~1 ms and ~3 ms",
    "  (the lock and the head must be two statements: a statement sees only what was committed",
    "  before it began, so the head is read after the lock is held), and ~0.7 ms of Redis round",
    "  trips (the breaker before and after the call, whether a reconciliation run is queued).",
    "- *Where a cold page's time goes* (the breakdown tables): a page's SQL is about 1 ms on",
    "  SQLite and 4–5 ms on PostgreSQL (7–9 round trips), its middleware 2–4 ms, much as its",
    "  floor's; what a page adds to its floor is its view's own Python (forms built, selectors'",
    "  model instances: 6–9 ms), Django's templates around the rows (the layout, panels,",
    "  filters: 5–10 ms) and the rows themselves (Jinja2: 2–7 ms cold).",
    "  Within 1.5× of its floor (~10 ms), a page could add ~5 ms to it for its forms, panels,",
    "  layout and rows' markup together; today they add ~15 ms.",
    "- *Search by summary words* is SQL: two passes of the trigram index and the LIKE check of each",
    "  candidate (one to count by status, one for the page), each ~8 ms for the 2,600 matches of",
    "  the bench's words on SQLite. One pass handing its matches' ids to the page was measured and",
    "  was no faster: binding 2,600 ids through the ORM costs what the second pass saves.",
    "- *The export on SQLite* formats every cell in Python (28 a row); PostgreSQL formats them in",
    "  COPY. SQLite's own ceiling is its cursor: the 28 columns of every record fetched bare, in",
    "  the export's order, come at ~120,000 rows/s, and formatting takes as long again. Moving the",
    "  formatting into SQL expressions (one CSV line a row from SQLite) was measured at ~55,000",
    "  rows/s, about Python's speed: SQLite's per-cell string functions cost about what Python's do.",
    "",
]


def main() -> None:
    results: dict[str, list[dict]] = {}
    for path in sorted(HERE.glob("results-*-*.json")):
        if path.name.startswith("results-conversation-"):
            continue
        result = json.loads(path.read_text())
        results.setdefault(result["vendor"], []).append(result)
    for measured in results.values():
        measured.sort(key=lambda result: SCALES.index(result["scale"]))
    lines = [
        "# Benchmarks",
        "",
        f"Written {datetime.now(UTC):%Y-%m-%d} on {machine()}.",
        "Reproduce with `make bench` (`make bench SCALE=small` for a quick run, `SCALE=medium`",
        "between the two; `python -m bench.run --only service` measures one part again); each run writes",
        "`bench/results-<database>-<scale>.json` and this page is made from whichever exist.",
        "Times are server-side: Django's whole request handling (middleware, view, queries, template),",
        "measured in-process with the test client over many requests, each page twice. *Cold*: the",
        "shared cache (Redis) emptied before every request, as the first viewer after a change meets",
        "it (no cached rows, counts, permissions or session); *warm*: the same request repeated, every",
        "cache filled by the one before. The targets apply to the cold figures. A list page's floor",
        "is a bare view running the page's single indexed query (same filter) and rendering the same",
        "rows in a minimal template, through the same middleware, measured in the same state; the",
        "empty signed-in page (the layout alone) is the fixed cost every page pays. Targets: list,",
        "ticket and audit pages p95 ≤ 30 ms and ≤ 1.5× their floor; search p95 ≤ 50 ms; the empty",
        "page p95 ≤ 5 ms; at most 8 queries per warm page, the same at every size; the export at",
        "least 100,000 rows/s with less than 50 MB of memory growth; the service layer's own cost",
        "per operation (time in operation_submit minus the upstream calls) p50 ≤ 1.5× one bare",
        "durable commit on the same database, measured in the same run. The machine is shared:",
        "compare a figure with its floor from the same run rather than across runs.",
        "",
    ]
    for vendor in sorted(results, key=lambda name: (name != "postgresql", name)):
        lines += section(vendor, results[vendor])
    lines += conversation_sections()
    lines += READING
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines))
    print(DOC.read_text())


if __name__ == "__main__":
    main()
