"""The sandbox upstream's own state: tickets, their status machine, logs, and what it received.

Which operation is allowed in which status is not published by Huawei; this is the table the
sandbox enforces (and the dashboard's hints follow):

| action | allowed while status is                                   | status after        |
|--------|-----------------------------------------------------------|---------------------|
| cancel | 0 pending acceptance, 1 processing, 2 awaiting            | 4 cancelled         |
|        | confirmation, 5 paused, 17 pending feedback               |                     |
| close  | 2 awaiting confirmation, 17 pending feedback              | 3 completed         |
| press  | 0 pending acceptance, 1 processing, 5 paused              | unchanged           |
|        | (at most once per PRESS_INTERVAL per ticket: OSM.01010004)|                     |
| delete | 3 completed, 4 cancelled, 12 invalid                      | 13 deleted          |
| score  | 3 completed, once                                         | unchanged           |
"""

import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .conversation import Conversation, seed_threads

STATUS_NAMES = {
    0: "Pending acceptance",
    1: "Processing",
    2: "Awaiting confirmation",
    3: "Completed",
    4: "Cancelled",
    5: "Paused",
    12: "Invalid",
    13: "Deleted",
    17: "Pending feedback",
}

TRANSITIONS: dict[str, tuple[frozenset[int], int | None]] = {
    "cancel": (frozenset({0, 1, 2, 5, 17}), 4),
    "close": (frozenset({2, 17}), 3),
    "press": (frozenset({0, 1, 5}), None),
    "delete": (frozenset({3, 4, 12}), 13),
}
OPERATE_TYPES = {"create": 0, "press": 2, "close": 3, "cancel": 4, "score": 5, "delete": 13}

# product, business type, incident type, summary in English, summary in Chinese
_PRODUCTS = [
    (
        "Elastic Cloud Server",
        "Technical issue",
        "Fault",
        "ECS instance cannot be reached over SSH after a reboot",
        "云服务器重启后无法通过 SSH 登录",
    ),
    (
        "Object Storage Service",
        "Technical issue",
        "Consultation",
        "OBS bucket returns 403 for objects uploaded by a sub-user",
        "OBS 桶跨区域复制任务一直处于等待状态",
    ),
    (
        "Relational Database Service",
        "Technical issue",
        "Fault",
        "RDS for MySQL replica lag keeps growing during the night",
        "RDS 数据库备份在凌晨失败，错误码 DBS.280001",
    ),
    (
        "Virtual Private Cloud",
        "Technical issue",
        "Configuration",
        "VPC peering connection stuck in pending acceptance",
        "申请提高 EIP 带宽配额",
    ),
    (
        "Billing Center",
        "Billing",
        "Invoice",
        "Invoice for October shows the wrong company name",
        "十月账单中存在重复扣费，请核实",
    ),
    (
        "Identity and Access Management",
        "Account",
        "Permissions",
        "IAM user cannot switch role to the production account",
        "子用户登录控制台时提示权限不足",
    ),
    (
        "Cloud Container Engine",
        "Technical issue",
        "Fault",
        "CCE node pool scaling fails with quota exceeded",
        "CCE 集群升级后 Pod 无法拉取镜像",
    ),
    (
        "Elastic Load Balance",
        "Technical issue",
        "Performance",
        "ELB health checks mark healthy backends as abnormal",
        "负载均衡监听器证书即将过期，无法更新",
    ),
]


def seed_tickets(count: int, *, seed: int = 20261128) -> dict[str, dict[str, Any]]:
    """A deterministic set of tickets in every status, summaries in English and Chinese."""
    rng = random.Random(seed)
    statuses = list(STATUS_NAMES)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    tickets: dict[str, dict[str, Any]] = {}
    for index in range(count):
        created = start + timedelta(minutes=37 * index + rng.randint(0, 30))
        case_id = f"CS{created:%Y%m%d}{index + 1:05d}"
        product, business, incident, english, chinese = _PRODUCTS[rng.randrange(len(_PRODUCTS))]
        status = statuses[index % len(statuses)]
        summary = chinese if rng.random() < 0.4 else english
        tickets[case_id] = _ticket(case_id, summary, status, product, business, incident, created)
    if count >= 2:
        # Case ids the encoding rules must carry intact.
        tickets["工单-42"] = _ticket(
            "工单-42", "控制台无法打开工单附件", 1, *_PRODUCTS[0][:3], start
        )
        tickets["CS 2023/07?x=1#f&y"] = _ticket(
            "CS 2023/07?x=1#f&y", "Ticket imported from the old system", 2, *_PRODUCTS[4][:3], start
        )
    return tickets


def _ticket(case_id, summary, status, product, business, incident, created) -> dict[str, Any]:
    return {
        "incident_id": case_id,
        "simple_description": summary,
        "status": status,
        "business_type_name": business,
        "incident_type_name": incident,
        "product_category_name": product,
        "incident_service_type": "standard",
        "customer_id": "cust-0001",
        "xcustomer_id": "",
        "xcustomer_name": "Demo Co., Ltd.",
        "dc_name": "cn-south-1",
        "root_cause": "",
        "resolution": "",
        "create_time": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "update_time": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "confirmed_time": None,
        "resolve_time": None,
        "judgement": "",
        "source_name": "Console",
        "severity_name": "Medium",
        "label_list": [],
        "message_list": [
            {
                "replier_name": "Huawei Cloud engineer",
                "content": "We have received your ticket and are looking into it.",
                "create_time": (created + timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ],
        "incident_satisfaction": [],
    }


@dataclass
class ReceivedRequest:
    method: str
    raw_path: str
    path_segments: list[str]
    query: dict[str, list[str]]
    headers: dict[str, str]  # without X-Auth-Token and Authorization
    body: Any  # an IAM sign-in's password is masked
    auth: str = ""  # how it authenticated: "token", "iam-token", "aksk"; empty if refused


@dataclass
class SandboxState:
    token: str = "sandbox-token"
    press_interval: float = 300.0
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    last_press: dict[str, float] = field(default_factory=dict)
    received: deque = field(default_factory=lambda: deque(maxlen=1000))
    persist_path: Path | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Identity (identity.py): IAM users and the tokens issued to them, and AK/SK pairs.
    token_lifetime: float = 86400.0
    iam_users: dict[tuple[str, str], str] = field(
        default_factory=lambda: {("sandbox-account", "sandbox-agent"): "sandbox-password"}
    )
    locked_users: set[str] = field(default_factory=set)
    issued_tokens: dict[str, float] = field(default_factory=dict)  # token -> epoch of its end
    token_issues: int = 0
    access_keys: dict[str, str] = field(default_factory=lambda: {"sandbox-ak": "sandbox-sk"})
    domain_id: str = "sandbox-domain-id"
    # The conversations (conversation.py): threads live in each ticket's message_list; the
    # feed's cursor, unread marks, attachments, labels and the engineer's answers to come here.
    conversation: Conversation = field(default_factory=Conversation)
    # Seconds after a reply before the engineer answers it; None: the engineer never does.
    engineer_reply_after: float | None = 20.0

    @classmethod
    def seeded(cls, count: int = 48, **options: Any) -> "SandboxState":
        state = cls(**options)
        if state.persist_path and state.persist_path.is_file():
            saved = json.loads(state.persist_path.read_text(encoding="utf-8"))
            state.tickets, state.logs = saved["tickets"], saved["logs"]
            if "conversation" in saved:
                state.conversation = Conversation.from_json(saved["conversation"])
            else:  # a file from before the conversations: give its tickets their threads
                seed_threads(state)
        else:
            state.tickets = seed_tickets(count)
            state.logs = {
                case_id: [_log_entry("create", "customer", "", ticket["create_time"])]
                for case_id, ticket in state.tickets.items()
            }
            seed_threads(state)
        return state

    def save(self) -> None:
        if self.persist_path:
            tmp = self.persist_path.with_suffix(".tmp")
            tmp.write_text(
                json.dumps(
                    {
                        "tickets": self.tickets,
                        "logs": self.logs,
                        "conversation": self.conversation.as_json(),
                    }
                ),
                encoding="utf-8",
            )
            tmp.replace(self.persist_path)

    def record(self, request: ReceivedRequest) -> None:
        self.received.append(request)

    def apply(self, case_id: str, action_id: str, body: dict[str, Any]) -> tuple[str, str]:
        """Carry out an operation; returns (error_code, error_msg), empty on success."""
        with self.lock:
            ticket = self.tickets.get(case_id)
            if ticket is None:
                return "OSM.01010015", "The ticket does not exist"
            allowed, after = TRANSITIONS[action_id]
            if ticket["status"] not in allowed:
                return "OSM.01010014", "Not allowed in current status"
            now = time.monotonic()
            if action_id == "press":
                last = self.last_press.get(case_id)
                if last is not None and now - last < self.press_interval:
                    return "OSM.01010004", "Urged too frequently"
                self.last_press[case_id] = now
            if after is not None:
                ticket["status"] = after
            stamp = _now()
            ticket["update_time"] = stamp
            if action_id == "close":
                ticket["resolve_time"] = stamp
            if action_id == "close" and body.get("incident_satisfaction_list"):
                ticket["incident_satisfaction"] = body["incident_satisfaction_list"]
            if body.get("judgement"):
                ticket["judgement"] = body["judgement"]
            self.logs.setdefault(case_id, []).append(
                _log_entry(action_id, "agent", body.get("operate_desc", ""), stamp)
            )
            self.save()
            return "", ""

    def score(self, case_id: str, body: dict[str, Any]) -> tuple[str, str]:
        with self.lock:
            ticket = self.tickets.get(case_id)
            if ticket is None:
                return "OSM.01010015", "The ticket does not exist"
            if ticket["status"] != 3:
                return "OSM.01010014", "Only completed tickets are rated"
            # A score with an empty list leaves no satisfaction behind, but the log remembers it.
            scored = any(
                entry["operate_type"] == OPERATE_TYPES["score"]
                for entry in self.logs.get(case_id, [])
            )
            if ticket["incident_satisfaction"] or scored:
                return "OSM.01010014", "Ticket already evaluated"
            ticket["incident_satisfaction"] = body["incident_satisfaction_list"]
            ticket["judgement"] = body["judgement"]
            ticket["update_time"] = _now()
            self.logs.setdefault(case_id, []).append(
                _log_entry("score", "agent", body["judgement"], ticket["update_time"])
            )
            self.save()
            return "", ""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _log_entry(action: str, operator: str, content: str, stamp: str) -> dict[str, Any]:
    return {
        "operate_type": OPERATE_TYPES[action],
        "operator": operator,
        "content": content,
        "operate_time": stamp,
    }
