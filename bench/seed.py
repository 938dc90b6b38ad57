"""Bulk seeding for the benchmarks: realistic volumes in minutes, not hours."""

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from ticketui.audit.models import AuditRecord
from ticketui.tickets.models import Ticket, TicketStatus
from ticketui.tickets.roles import roles_ensure

BATCH = 5_000
START = datetime(2025, 1, 1, tzinfo=UTC)
WORDS = [
    "ECS",
    "instance",
    "cannot",
    "reach",
    "SSH",
    "after",
    "reboot",
    "OBS",
    "bucket",
    "returns",
    "403",
    "RDS",
    "replica",
    "lag",
    "VPC",
    "peering",
    "pending",
    "invoice",
    "wrong",
    "company",
    "IAM",
    "role",
    "switch",
    "CCE",
    "node",
    "pool",
    "quota",
    "ELB",
    "health",
    "check",
    "abnormal",
    "云服务器",
    "无法",
    "登录",
    "数据库",
    "备份",
    "失败",
    "负载均衡",
    "证书",
    "过期",
    "账单",
    "重复",
    "扣费",
]
ACTIONS = ["close", "press", "cancel", "delete"]
OUTCOMES = ["succeeded"] * 8 + ["rejected", "http_error", "unknown", "not_sent"]


def _batched(rows: Iterator, size: int = BATCH) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bench_users() -> dict[str, User]:
    roles_ensure(Group, Permission)
    users = {}
    for username, group in (("bench-agent", "Support"), ("bench-lead", "Team lead")):
        user, _ = User.objects.get_or_create(username=username)
        user.groups.set([Group.objects.get(name=group)])
        users[group] = user
    return users


def case_id(n: int) -> str:
    return f"CS{n:010d}"


def seed_tickets(count: int, progress: Callable[[str], None] = print) -> None:
    rng = random.Random(1)
    statuses = TicketStatus.values
    rows = (
        Ticket(
            case_id=case_id(n),
            summary=" ".join(rng.choices(WORDS, k=8)),
            status=rng.choice(statuses),
            product_category=rng.choice(
                ["Elastic Cloud Server", "Object Storage Service", "Billing Center"]
            ),
            upstream_created_at=START + timedelta(minutes=5 * n),
        )
        for n in range(count)
    )
    for number, batch in enumerate(_batched(rows), 1):
        with transaction.atomic():
            Ticket.objects.bulk_create(batch)
        if number % 10 == 0:
            progress(f"  tickets: {number * BATCH:,}")


def seed_audit_records(
    count: int, tickets: int, users: list[User], progress: Callable[[str], None] = print
) -> None:
    rng = random.Random(2)

    def rows():
        for n in range(count):
            user = users[n % len(users)]
            outcome = rng.choice(OUTCOMES)
            action = rng.choice(ACTIONS)
            when = START + timedelta(seconds=30 * n)
            case = case_id(rng.randrange(tickets))
            yield AuditRecord(
                kind="operation",
                created_at=when,
                completed_at=when + timedelta(milliseconds=120),
                actor=user,
                actor_username=user.username,
                case_id=case,
                action_id=action,
                outcome=outcome,
                request_method="POST",
                request_path=f"/v2/servicerequest/cases/{case}/action?action_id={action}",
                request_body={"operate_desc": "Benchmark operation"},
                request_headers={"X-Site": "0", "X-Language": "zh-cn", "X-Time-Zone": "GMT+8"},
                http_status=200,
                error_code="" if outcome == "succeeded" else "OSM.01010014",
                response_body='{"error_code": "", "error_msg": ""}',
                request_id=f"{n:032x}",
                duration_ms=120.0,
            )

    for number, batch in enumerate(_batched(rows()), 1):
        with transaction.atomic():
            AuditRecord.objects.bulk_create(batch)
        if number % 20 == 0:
            progress(f"  audit records: {number * BATCH:,}")
