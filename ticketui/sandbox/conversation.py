"""The sandbox's conversations: each ticket's message thread, the "engineer" who answers a reply
after a delay, the instant-message feed with its unread counts, attachments and labels.

What the upstream does not publish, the sandbox decides (and the README repeats):
- A thread is served oldest first; `offset` counts from the oldest message.
- A reply is refused (OSM.01010014) once the ticket is completed, cancelled, invalid or deleted.
- The engineer answers every reply `engineer_reply_after` seconds later, in the ticket's language
  (Chinese when its summary has Chinese characters). Due answers are delivered when the next
  request arrives, so no thread runs behind the tests' backs.
- The feed's cursor (`last_message_time_id`) is the sequence number of the newest message
  returned; an empty cursor returns every message. `imstatus.status` is 1 when the ticket has
  messages newer than the cursor. Unread counts count the engineer's messages after the ticket
  was last marked read.
- Attachments: the limits below (ShowAccessoryLimits), type by extension, "MB" as 10**6 bytes;
  each accessory may be attached to one message; several ids download as one zip.
"""

import base64
import struct
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import SandboxState

CLOSED_STATUSES = frozenset({3, 4, 12, 13})
CUSTOMER = {"replier": "cust-0001", "replier_name": "Demo Co., Ltd."}
ENGINEER = {"en": "Huawei Cloud engineer", "zh": "华为云工程师"}
CANNED_REPLY = {
    "en": "Thank you for the details. We have checked the logs on our side and will come back "
    "to you with the next steps shortly.",
    "zh": "感谢您提供的信息。我们已在后台查看了相关日志，稍后会告知您后续的处理步骤。",
}
DEFAULT_LIMITS = {
    "limit_count": "5",
    "limit_size": "4",
    "limit_file_type": "jpg,jpeg,png,gif,bmp,txt,log,pdf,doc,docx,xls,xlsx,zip,rar",
}
LABELS = [
    {"label_id": 101, "name": "VIP", "color": "#C0392B"},
    {"label_id": 102, "name": "Production", "color": "#D68910"},
    {"label_id": 103, "name": "客户升级", "color": "#2874A6"},
    {"label_id": 104, "name": "Billing", "color": "#1E8449"},
]
SEVERITIES = {  # severity_name by X-Language
    "en": ["Low", "Medium", "High", "Critical"],
    "zh": ["低", "中", "高", "紧急"],
}
# Detail messages (IncidentMessageV2) have message_id but no replier_type / iam_user_type;
# listed ones (QueryMessageInfoV2) the other way round.
_LIST_FIELDS = (
    "type",
    "replier_type",
    "replier",
    "replier_name",
    "content",
    "create_time",
    "is_first_message",
    "iam_user_type",
    "accessory_list",
)
_DETAIL_FIELDS = (
    "message_id",
    "type",
    "replier",
    "replier_name",
    "content",
    "create_time",
    "is_first_message",
    "accessory_list",
)


@dataclass
class Conversation:
    """What the sandbox holds beside the tickets; each ticket's thread is its `message_list`
    (all fields, plus `seq`, the feed's order)."""

    seq: int = 0
    accessories: dict[str, dict[str, Any]] = field(default_factory=dict)
    read_marks: dict[str, int] = field(default_factory=dict)  # case id -> seq read up to
    pending: list[dict[str, Any]] = field(default_factory=list)  # engineer answers to come
    labels: list[dict[str, Any]] = field(default_factory=lambda: [dict(x) for x in LABELS])
    limits: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    def as_json(self) -> dict[str, Any]:
        accessories = {
            key: {**value, "data": base64.b64encode(value["data"]).decode()}
            for key, value in self.accessories.items()
        }
        return {
            "seq": self.seq,
            "accessories": accessories,
            "read_marks": self.read_marks,
            "pending": self.pending,
            "labels": self.labels,
            "limits": self.limits,
        }

    @classmethod
    def from_json(cls, saved: dict[str, Any]) -> "Conversation":
        conversation = cls(**{k: v for k, v in saved.items() if k != "accessories"})
        conversation.accessories = {
            key: {**value, "data": base64.b64decode(value["data"])}
            for key, value in saved.get("accessories", {}).items()
        }
        return conversation


def language(ticket: dict[str, Any]) -> str:
    return (
        "zh" if any("\u4e00" <= char <= "\u9fff" for char in ticket["simple_description"]) else "en"
    )


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def add_message(
    state: "SandboxState",
    case_id: str,
    *,
    content: str,
    engineer: bool,
    at: datetime | None = None,
    accessory_ids: tuple[str, ...] | list[str] = (),
    first: bool = False,
) -> dict[str, Any]:
    """Append a message to a ticket's thread (the caller holds the lock); benches and tests
    use it to arrange long threads."""
    ticket = state.tickets[case_id]
    conversation = state.conversation
    conversation.seq += 1
    author = (
        {"replier": "hw-engineer-07", "replier_name": ENGINEER[language(ticket)]}
        if engineer
        else CUSTOMER
    )
    accessories = []
    for accessory_id in accessory_ids:
        accessory = conversation.accessories[accessory_id]
        accessory["attached_to"] = case_id
        accessories.append({"accessory_id": accessory_id, "file_actual_name": accessory["name"]})
    message = {
        "message_id": f"MSG{conversation.seq:08d}",
        "seq": conversation.seq,
        "type": 1 if engineer else 0,
        "replier_type": 1 if engineer else 0,
        **author,
        "content": content,
        "create_time": stamp(at or datetime.now(UTC)),
        "is_first_message": 1 if first else 0,
        "iam_user_type": 0,
        "accessory_list": accessories,
    }
    ticket.setdefault("message_list", []).append(message)
    return message


def store_accessory(
    state: "SandboxState", *, name: str, content_type: str, data: bytes, origin: str = "message"
) -> str:
    accessory_id = uuid.uuid4().hex
    state.conversation.accessories[accessory_id] = {
        "name": name,
        "content_type": content_type,
        "data": data,
        "size": len(data),
        "from": origin,
        "attached_to": None,
    }
    return accessory_id


def listed(message: dict[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in _LIST_FIELDS if key in message}


def detailed(message: dict[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in _DETAIL_FIELDS if key in message}


def reply(state: "SandboxState", case_id: str, content: str, ids: list[str]) -> tuple[str, str]:
    """CreateMessages: the agent's reply, and the engineer's answer scheduled."""
    with state.lock:
        ticket = state.tickets.get(case_id)
        if ticket is None:
            return "OSM.01010015", "The ticket does not exist"
        if ticket["status"] in CLOSED_STATUSES:
            return "OSM.01010014", "The ticket takes no more replies"
        for accessory_id in ids:
            accessory = state.conversation.accessories.get(accessory_id)
            if accessory is None or accessory["attached_to"] is not None:
                return "OSM.01010001", "Unknown or used attachment"
        add_message(state, case_id, content=content, engineer=False, accessory_ids=ids)
        if state.engineer_reply_after is not None:
            state.conversation.pending.append(
                {"case_id": case_id, "due": time.time() + state.engineer_reply_after}
            )
        state.save()
        return "", ""


def deliver_due(state: "SandboxState", now: float | None = None) -> int:
    """The engineer's answers whose time has come, added to their threads; how many."""
    now = time.time() if now is None else now
    with state.lock:
        due = [entry for entry in state.conversation.pending if entry["due"] <= now]
        if not due:
            return 0
        state.conversation.pending = [e for e in state.conversation.pending if e["due"] > now]
        for entry in sorted(due, key=lambda e: e["due"]):
            ticket = state.tickets.get(entry["case_id"])
            if ticket is not None:
                add_message(
                    state,
                    entry["case_id"],
                    content=CANNED_REPLY[language(ticket)],
                    engineer=True,
                    at=datetime.fromtimestamp(entry["due"], UTC),
                )
        state.save()
        return len(due)


def unread(state: "SandboxState", case_id: str) -> int:
    mark = state.conversation.read_marks.get(case_id, 0)
    return sum(
        1
        for message in state.tickets[case_id].get("message_list", [])
        if message["replier_type"] == 1 and message["seq"] > mark
    )


def mark_read(state: "SandboxState", case_id: str) -> None:
    state.conversation.read_marks[case_id] = state.conversation.seq


# --- The demo threads --------------------------------------------------------------------

_THREADS = {
    "en": [
        (False, "Since this morning the problem happens on every attempt. Logs attached."),
        (True, "Thank you. Could you tell us the instance ID and the time of the last attempt?"),
        (False, "The instance is i-0a1b2c3d, the last attempt was at 09:40 (GMT+8)."),
        (
            True,
            "We have reproduced it and are working on a fix. We will update you within the day.",
        ),
    ],
    "zh": [
        (False, "从今天早上开始每次操作都会出现这个问题，日志见附件。"),
        (True, "感谢您的反馈。请提供实例 ID 以及最近一次操作的时间。"),
        (False, "实例 ID 为 i-0a1b2c3d，最近一次操作是 09:40（北京时间）。"),
        (True, "我们已复现该问题，正在处理中，今天内会给您答复。"),
    ],
}


def _png() -> bytes:
    """A 2x2 grey PNG, the demo screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\x99\x99\x99" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def seed_threads(state: "SandboxState") -> None:
    """Every ticket opens with the customer's description; the engineer acknowledges it; every
    third ticket has a longer exchange with attachments; every fourth has an unread answer."""
    for index, (case_id, ticket) in enumerate(sorted(state.tickets.items())):
        lang = language(ticket)
        created = datetime.fromisoformat(ticket["create_time"])
        ticket["message_list"] = []
        ticket["severity_name"] = SEVERITIES["en"][index % 4]
        ticket["label_list"] = [dict(LABELS[index % len(LABELS)])] if index % 3 == 0 else []
        add_message(
            state,
            case_id,
            content=ticket["simple_description"],
            engineer=False,
            at=created,
            first=True,
        )
        add_message(
            state,
            case_id,
            content=(
                "您好，我们已收到您的工单，正在处理。"
                if lang == "zh"
                else "We have received your ticket and are looking into it."
            ),
            engineer=True,
            at=created + timedelta(minutes=12),
        )
        if index % 3 == 0:
            log_id = store_accessory(
                state,
                name="错误日志.txt" if lang == "zh" else "console-output.log",
                content_type="text/plain",
                data=f"{ticket['incident_id']}: connection refused (errno 111)\n".encode() * 20,
            )
            shot_id = store_accessory(
                state, name="screenshot.png", content_type="image/png", data=_png()
            )
            for step, (engineer, content) in enumerate(_THREADS[lang]):
                add_message(
                    state,
                    case_id,
                    content=content,
                    engineer=engineer,
                    at=created + timedelta(hours=1 + step),
                    accessory_ids=[log_id, shot_id] if step == 0 else [],
                )
        last_engineer = max(m["seq"] for m in ticket["message_list"] if m["replier_type"] == 1)
        state.conversation.read_marks[case_id] = (
            last_engineer - 1 if index % 4 == 1 else state.conversation.seq
        )
