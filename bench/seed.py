"""Bulk seeding for the benchmarks: realistic volumes in minutes, not hours.

Rows go straight into the tables (COPY on PostgreSQL, one executemany on SQLite), each table's
secondary indexes dropped first and built again at the end, all in one transaction: a failed seed
leaves nothing behind. Seeded audit records carry placeholder seals (`audit_verify` would flag
them); records the benchmark writes through the app itself are sealed as usual."""

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from ticketui.audit.models import AuditRecord
from ticketui.audit.verify import chain_head
from ticketui.tickets.models import (
    SatisfactionDimension,
    Survey,
    SurveyAnswer,
    SurveySource,
    Ticket,
    TicketStatus,
)
from ticketui.tickets.roles import roles_ensure

Progress = Callable[[str], None]
PROGRESS_EVERY = 100_000
START = datetime(2025, 1, 1, tzinfo=UTC)
WORDS = [
    "ECS", "instance", "cannot", "reach", "SSH", "after", "reboot", "OBS", "bucket", "returns",
    "403", "RDS", "replica", "lag", "VPC", "peering", "pending", "invoice", "wrong", "company",
    "IAM", "role", "switch", "CCE", "node", "pool", "quota", "ELB", "health", "check", "abnormal",
    "云服务器", "无法", "登录", "数据库", "备份", "失败", "负载均衡", "证书", "过期", "账单", "重复",
    "扣费",
]  # fmt: skip
ACTIONS = ["close", "press", "cancel", "delete"]
OUTCOMES = ["succeeded"] * 8 + ["rejected", "http_error", "unknown", "not_sent"]
REJECTED_CODE = "OSM.01010014"
# Seconds between two seeded operation records: 1,000,000 of them span the last eleven months.
RECORD_SPACING = 30

# The upstream's satisfaction dimensions: (id, name, value, per_value).
DIMENSIONS = [(1, "Response timeliness", 5, 1), (3, "Handling result", 5, 1), (7, "Overall", 10, 2)]
PRODUCTS = ["Elastic Cloud Server", "Object Storage Service", "Relational Database Service",
            "Virtual Private Cloud", "Billing Center", "Identity and Access Management",
            "Cloud Container Engine", "Elastic Load Balance"]  # fmt: skip
SURVEY_AGENTS = 25
# Surveys are spread over this many days before the seeding: the report's default period (30
# days) covers about a twelfth of them, a wide period all of them.
SURVEY_DAYS = 365


def bench_users() -> dict[str, User]:
    roles_ensure(Group, Permission)
    users = {}
    for username, group in (("bench-agent", "Support"), ("bench-lead", "Team lead")):
        user, _ = User.objects.get_or_create(username=username)
        user.groups.set([Group.objects.get(name=group)])
        users[group] = user
    return users


def case_id(n: int) -> str:
    """Seeded tickets' case ids: CS0000000000 upwards (the sandbox's are CS<date><number>)."""
    return f"CS{n:010d}"


def survey_case_id(n: int) -> str:
    """Surveyed tickets are not tracked ones: their own range of case ids."""
    return f"CS9{n:09d}"


# --- Writing rows fast --------------------------------------------------------------------


def _db_datetime(value: datetime | None) -> Any:
    if value is None or connection.vendor == "postgresql":
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")  # as Django stores it


def _db_date(value: date | None) -> Any:
    return value.isoformat() if value is not None and connection.vendor == "sqlite" else value


def _db_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, models.DateTimeField):
        return _db_datetime
    if isinstance(field, models.DateField):
        return _db_date
    if isinstance(field, models.JSONField):
        return _db_json
    return None


def _default(field: models.Field) -> Any:
    """The value the database would give the column: the field's default, else its db_default
    (a plain value: what the seeding writes goes past the ORM)."""
    if not field.has_default() and field.has_db_default():
        return field.db_default.value if hasattr(field.db_default, "value") else field.db_default
    return field.get_default()


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fixed: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> int:
    """Insert `rows` (values of `columns`, by attname) into the model's table; every other
    column takes `fixed`'s value or the field's default. Returns the number of rows."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    fixed = fixed or {}
    rest = [name for name in fields if name not in columns]
    constants = tuple(
        fields[name].get_db_prep_save(
            fixed[name] if name in fixed else _default(fields[name]), connection
        )
        for name in rest
    )
    converters = [_converter(fields[name]) for name in columns]
    needs = [n for n, convert in enumerate(converters) if convert]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(fields[name].column) for name in [*columns, *rest])
    count = 0

    def prepared() -> Iterator[tuple]:
        nonlocal count
        for row in rows:
            row = list(row)
            for n in needs:
                row[n] = converters[n](row[n])
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(f"  {model._meta.verbose_name_plural}: {count:,}")
            yield (*row, *constants)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in prepared():
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * (len(columns) + len(rest)))
            # The sqlite3 connection itself: Django's cursor would rewrite every statement.
            connection.connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared()
            )
    return count


def _secondary_indexes(model: type[models.Model]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of each index that no constraint owns."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT index_class.relname, pg_get_indexdef(index.indexrelid) "
                "FROM pg_index index JOIN pg_class index_class ON index_class.oid = index.indexrelid "
                "WHERE index.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = index.indexrelid)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        return cursor.fetchall()


@contextmanager
def bulk_loading(*tables: type[models.Model]) -> Iterator[None]:
    """One transaction with the tables' secondary indexes dropped (built again, in one sort
    each, before it commits) and the database tuned for one big write."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Nothing here needs to survive a power cut; the index builds like a large cache.
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")
    try:
        with transaction.atomic():
            indexes = [index for model in tables for index in _secondary_indexes(model)]
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for name, _statement in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            yield
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # Check the foreign keys now: a table with checks pending takes no index.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for _name, statement in indexes:
                    cursor.execute(statement)
                sequences = connection.ops.sequence_reset_sql(no_style(), list(tables))
                for statement in sequences:
                    cursor.execute(statement)
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = NORMAL")  # as settings.py has it
                cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum would have done by the time anyone reads these tables.
            for model in tables:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1


class Seals:
    """Placeholder seals continuing the chain's numbering (unique, as the table requires)."""

    def __init__(self) -> None:
        head = chain_head()
        self.seq, self.hash = head.seq, head.hash

    def next(self) -> tuple[int, str, str]:
        prev = self.hash
        self.seq += 1
        self.hash = f"{self.seq:064x}"
        return self.seq, prev, self.hash


# --- What is seeded -------------------------------------------------------------------------

RECORD_COLUMNS = (
    "id", "kind", "created_at", "completed_at", "actor_id", "actor_username", "case_id",
    "action_id", "outcome", "request_path", "error_code", "request_id", "seq", "prev_hash", "hash",
)  # fmt: skip
SURVEY_COLUMNS = (
    "id", "case_id", "product", "agent_id", "agent_username", "source", "comment",
    "audit_record_id", "created_at", "surveyed_on", "week",
)  # fmt: skip
ANSWER_COLUMNS = (
    "id", "survey_id", "satisfaction_id", "name", "stars", "scale", "satisfaction_value", "value",
    "per_value", "surveyed_on", "week", "agent_id", "product",
)  # fmt: skip
RECORD_FIXED = {
    "request_method": "POST",
    "request_headers": {"X-Site": "0", "X-Language": "zh-cn", "X-Time-Zone": "GMT+8"},
    "http_status": 200,
    "response_body": '{"error_code": "", "error_msg": ""}',
    "duration_ms": 120.0,
}


def seed_tickets(count: int, progress: Progress = print) -> None:
    """Tickets CS0000000000 … one every five minutes from 2025-01-01."""
    rng = random.Random(1)
    statuses = TicketStatus.values
    products = ["Elastic Cloud Server", "Object Storage Service", "Billing Center"]
    first_id = _next_id(Ticket)
    now = timezone.now()
    rows = (
        (
            first_id + n,
            case_id(n),
            " ".join(rng.choices(WORDS, k=8)),
            rng.choice(statuses),
            rng.choice(products),
            START + timedelta(minutes=5 * n),
        )
        for n in range(count)
    )
    columns = ("id", "case_id", "summary", "status", "product_category", "upstream_created_at")
    with bulk_loading(Ticket):
        insert_rows(
            Ticket, columns, rows, fixed={"created_at": now, "updated_at": now}, progress=progress
        )


def seed_audit_records(
    count: int,
    tickets: int,
    users: list[User],
    progress: Progress = print,
    *,
    first: int = 0,
) -> None:
    """Operation records number `first` to `count - 1`, one every 30 seconds up to now, on random
    tickets; a third of them did not succeed."""
    rng = random.Random(2 + first)
    seals = Seals()
    first_id = _next_id(AuditRecord)
    newest = timezone.now().replace(microsecond=0)

    def rows() -> Iterator[tuple]:
        for n in range(first, count):
            user = users[n % len(users)]
            outcome = rng.choice(OUTCOMES)
            action = rng.choice(ACTIONS)
            when = newest - timedelta(seconds=RECORD_SPACING * (count - 1 - n))
            case = case_id(rng.randrange(tickets))
            yield (
                first_id + n - first,
                "operation",
                when,
                when + timedelta(milliseconds=120),
                user.pk,
                user.username,
                case,
                action,
                outcome,
                f"/v2/servicerequest/cases/{case}/action?action_id={action}",
                "" if outcome == "succeeded" else REJECTED_CODE,
                f"{n:032x}",
                *seals.next(),
            )

    with bulk_loading(AuditRecord):
        insert_rows(
            AuditRecord,
            RECORD_COLUMNS,
            rows(),
            fixed={**RECORD_FIXED, "request_body": {"operate_desc": "Benchmark operation"}},
            progress=progress,
        )


def seed_ticket_history(ticket: Ticket, operations: int, user: User) -> None:
    """A ticket with a long history: `operations` urges, for the ticket page."""
    seals = Seals()
    first_id = _next_id(AuditRecord)
    when = ticket.upstream_created_at
    rows = (
        (
            first_id + n,
            "operation",
            when,
            when,
            user.pk,
            user.username,
            ticket.case_id,
            "press",
            "succeeded",
            f"/v2/servicerequest/cases/{ticket.case_id}/action?action_id=press",
            "",
            "",
            *seals.next(),
        )
        for n in range(operations)
    )
    with transaction.atomic():
        insert_rows(
            AuditRecord,
            RECORD_COLUMNS,
            rows,
            fixed={**RECORD_FIXED, "request_body": {"operate_desc": "Urge"}},
        )
        for statement in connection.ops.sequence_reset_sql(no_style(), [AuditRecord]):
            with connection.cursor() as cursor:
                cursor.execute(statement)


def survey_agents(count: int = SURVEY_AGENTS) -> list[User]:
    """The agents surveys are about, with the satisfaction dimensions they are rated on."""
    now = timezone.now()
    for satisfaction_id, name, value, per_value in DIMENSIONS:
        SatisfactionDimension.objects.update_or_create(
            satisfaction_id=satisfaction_id,
            defaults={"name": name, "value": value, "per_value": per_value, "synced_at": now},
        )
    names = [f"bench-agent-{n:02d}" for n in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=name, first_name="Agent", last_name=name[-2:])
        for name in names
        if name not in existing
    )
    return list(User.objects.filter(username__in=names).order_by("username"))


def seed_surveys(
    count: int,
    progress: Progress = print,
    *,
    first: int = 0,
    days: int = SURVEY_DAYS,
    agents: int = SURVEY_AGENTS,
) -> None:
    """Surveys number `first` to `count - 1` about `agents` agents, spread over the last `days`
    days up to now, each with its rating's audit record and one answer per dimension."""
    rng = random.Random(4 + first)
    surveyed = survey_agents(agents)
    seals = Seals()
    record_id, survey_id, answer_id = (
        _next_id(model) for model in (AuditRecord, Survey, SurveyAnswer)
    )
    now = timezone.now()
    first_day = timezone.localdate(now) - timedelta(days=days - 1)
    first_moment = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    span = int((now - first_moment).total_seconds())
    surveys = []
    for n in range(first, count):
        stamp = now - timedelta(seconds=rng.randrange(span))
        day = timezone.localdate(stamp)
        surveys.append(
            (
                survey_case_id(n),
                stamp,
                day,
                day - timedelta(days=day.weekday()),
                rng.choice(surveyed),
                rng.choice(PRODUCTS),
            )
        )
    with bulk_loading(AuditRecord, Survey, SurveyAnswer):
        insert_rows(
            AuditRecord,
            RECORD_COLUMNS,
            (
                (
                    record_id + n,
                    "rating",
                    stamp,
                    stamp + timedelta(milliseconds=120),
                    agent.pk,
                    agent.username,
                    case,
                    "score",
                    "succeeded",
                    f"/v2/servicerequest/cases/{case}/score",
                    "",
                    f"{first + n:032x}",
                    *seals.next(),
                )
                for n, (case, stamp, _day, _week, agent, _product) in enumerate(surveys)
            ),
            fixed={**RECORD_FIXED, "request_body": {"judgement": "Benchmark rating"}},
            progress=progress,
        )
        insert_rows(
            Survey,
            SURVEY_COLUMNS,
            (
                (
                    survey_id + n,
                    case,
                    product,
                    agent.pk,
                    agent.username,
                    rng.choice(SurveySource.values),
                    rng.choice(["", "Fast and friendly", "=took too long"]),
                    record_id + n,
                    stamp,
                    day,
                    week,
                )
                for n, (case, stamp, day, week, agent, product) in enumerate(surveys)
            ),
            progress=progress,
        )

        def answers() -> Iterator[tuple]:
            number = answer_id
            for n, (_case, _stamp, day, week, agent, product) in enumerate(surveys):
                for satisfaction_id, name, value, per_value in DIMENSIONS:
                    scale = value // per_value
                    stars = min(scale, max(1, round(rng.gauss(3.9, 1.1))))
                    yield (
                        number,
                        survey_id + n,
                        satisfaction_id,
                        name,
                        stars,
                        scale,
                        stars * per_value,
                        value,
                        per_value,
                        day,
                        week,
                        agent.pk,
                        product,
                    )
                    number += 1

        insert_rows(
            SurveyAnswer,
            ANSWER_COLUMNS,
            answers(),
            progress=progress,
        )
