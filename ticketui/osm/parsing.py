"""Reading the upstream's JSON into typed results: lenient about types and missing keys, never
dropping what it does not understand (results keep `raw`)."""

from collections.abc import Mapping
from typing import Any

from .results import (
    AccessoryLimits,
    AccessoryRef,
    CaseDetail,
    CaseMessage,
    CaseSummary,
    Label,
    MessageRole,
    OperateLogEntry,
    parse_time,
)

_ROLES = {0: MessageRole.CUSTOMER, 1: MessageRole.ENGINEER, 2: MessageRole.THIRD_PARTY}


def int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def int_or(value: Any, default: int) -> int:
    number = int_or_none(value)
    return default if number is None else number


def text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value)


def dicts(value: Any) -> list[dict[str, Any]]:
    """The dict entries of a JSON list (anything else: none)."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def label(item: Mapping[str, Any]) -> Label:
    return Label(
        label_id=text(item, "label_id"), name=text(item, "name"), color=text(item, "color")
    )


def labels(value: Any) -> tuple[Label, ...]:
    return tuple(label(item) for item in dicts(value))


def message(item: Mapping[str, Any]) -> CaseMessage:
    """A QueryMessageInfoV2 (ListMessages, instant messages) or IncidentMessageV2 (the detail)."""
    replier_type = int_or_none(item.get("replier_type"))
    kind = int_or_none(item.get("type"))
    role = _ROLES.get(replier_type if replier_type is not None else kind, MessageRole.UNKNOWN)
    accessories = tuple(
        AccessoryRef(
            accessory_id=text(entry, "accessory_id"), file_name=text(entry, "file_actual_name")
        )
        for entry in dicts(item.get("accessory_list"))
        if text(entry, "accessory_id")
    )
    return CaseMessage(
        author=text(item, "replier_name") or text(item, "replier"),
        content=text(item, "content"),
        time=parse_time(item.get("create_time")),
        message_id=text(item, "message_id"),
        role=role,
        replier=text(item, "replier"),
        replier_name=text(item, "replier_name"),
        type=kind,
        replier_type=replier_type,
        iam_user_type=int_or_none(item.get("iam_user_type")),
        is_first_message=int_or_none(item.get("is_first_message")) == 1,
        accessories=accessories,
        raw=dict(item),
    )


def messages(value: Any) -> tuple[CaseMessage, ...]:
    """Messages in chronological order (results.MessagePage); undated ones keep their place
    relative to each other and go first, as the oldest."""
    parsed = [message(item) for item in dicts(value)]
    order = sorted(
        range(len(parsed)),
        key=lambda index: (parsed[index].time is not None, parsed[index].time or 0, index),
    )
    return tuple(parsed[index] for index in order)


def operate_log_entry(item: Mapping[str, Any]) -> OperateLogEntry:
    return OperateLogEntry(
        operate_type=int_or_none(item.get("operate_type")),
        operator=text(item, "operator_name") or text(item, "operator"),
        content=text(item, "operate_desc") or text(item, "content"),
        time=parse_time(
            item.get("timestamp_operate_time")
            or item.get("operate_time")
            or item.get("create_time")
        ),
        log_id=text(item, "incident_log_id"),
        operator_type=int_or_none(item.get("operator_type")),
        operator_id=text(item, "operator_id"),
        raw=dict(item),
    )


def accessory_limits(data: Any) -> AccessoryLimits:
    """ShowAccessoryLimits' `accessory_limit`, each unreadable field from the fallback."""
    fallback = AccessoryLimits.fallback()
    info = data.get("accessory_limit") if isinstance(data, dict) else None
    info = info if isinstance(info, dict) else {}
    count = int_or_none(info.get("limit_count"))
    size = int_or_none(info.get("limit_size"))
    types = tuple(
        dict.fromkeys(
            part.strip().lstrip(".").lower()
            for part in text(info, "limit_file_type")
            .replace(";", ",")
            .replace("|", ",")
            .replace(" ", ",")
            .split(",")
            if part.strip().lstrip(".")
        )
    )
    count_ok = count is not None and count > 0
    size_ok = size is not None and size > 0
    return AccessoryLimits(
        count=count if count_ok else fallback.count,
        size_mb=size if size_ok else fallback.size_mb,
        file_types=types or fallback.file_types,
        from_upstream=count_ok and size_ok and bool(types),
    )


def case_summary_fields(item: Mapping[str, Any], fallback_case_id: str = "") -> dict[str, Any]:
    return {
        "case_id": text(item, "incident_id") or fallback_case_id,
        "summary": text(item, "simple_description"),
        "status": int_or_none(item.get("status")),
        "business_type": text(item, "business_type_name"),
        "incident_type": text(item, "incident_type_name"),
        "product_category": text(item, "product_category_name"),
        "customer_name": text(item, "xcustomer_name"),
        "create_time": parse_time(item.get("create_time")),
        "update_time": parse_time(item.get("update_time")),
        "labels": labels(item.get("label_list")),
        "raw": dict(item),
    }


def case_summary(item: Mapping[str, Any]) -> CaseSummary:
    return CaseSummary(**case_summary_fields(item))


def case_detail(item: Mapping[str, Any], *, fallback_case_id: str) -> CaseDetail:
    satisfaction = tuple(
        entry for entry in item.get("incident_satisfaction") or [] if isinstance(entry, dict)
    )
    return CaseDetail(
        **case_summary_fields(item, fallback_case_id),
        judgement=text(item, "judgement"),
        severity=text(item, "severity_name"),
        source=text(item, "source_name"),
        resolve_time=parse_time(item.get("resolve_time")),
        messages=messages(item.get("message_list")),
        satisfaction=satisfaction,
    )
