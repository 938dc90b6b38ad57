"""What the sandbox names in the language a call asks for (X-Language): the satisfaction
dimensions, and a ticket's type, severity and source ("some internationalization information,
such as the service ticket type and name, is displayed based on the language environment",
service-ticket-operations.txt). Without the header the upstream answers in zh-cn, its default.

The tickets are held with English names; an answer in Chinese swaps them for these."""

from typing import Any

from .conversation import SEVERITIES

DEFAULT_LANGUAGE = "zh-cn"

# Each dimension's scale, and its name and description in English and Chinese.
DIMENSIONS: list[dict[str, Any]] = [
    {
        "satisfaction_id": 1,
        "value": 5,
        "per_value": 1,
        "sat_category_id": "service",
        "en": ("Response timeliness", "How quickly the engineer responded"),
        "zh": ("响应速度", "工程师响应是否及时"),
    },
    {
        "satisfaction_id": 3,
        "value": 5,
        "per_value": 1,
        "sat_category_id": "service",
        "en": ("Handling result", "Whether the problem was solved"),
        "zh": ("处理结果", "问题是否得到解决"),
    },
    {
        "satisfaction_id": 7,
        "value": 10,
        "per_value": 2,
        "sat_category_id": "overall",
        "en": ("Overall experience", "The whole experience, on a ten-point scale"),
        "zh": ("整体体验", "对整个服务过程的总体评价，满分十分"),
    },
]
DIMENSION_SCALES = {dim["satisfaction_id"]: dim["value"] for dim in DIMENSIONS}

# The English names the tickets hold, with their Chinese.
_CHINESE = {
    "business_type_name": {
        "Technical issue": "技术问题",
        "Billing": "费用问题",
        "Account": "账号问题",
    },
    "incident_type_name": {
        "Fault": "故障",
        "Consultation": "咨询",
        "Configuration": "配置",
        "Invoice": "发票",
        "Permissions": "权限",
        "Performance": "性能",
    },
    "severity_name": dict(zip(SEVERITIES["en"], SEVERITIES["zh"], strict=True)),
    "source_name": {"Console": "控制台"},
}


def chinese(headers: Any) -> bool:
    """Whether the call asks for Chinese: zh-cn, another zh-…, or no X-Language at all."""
    return (headers.get("X-Language") or DEFAULT_LANGUAGE).strip().lower().startswith("zh")


def dimensions_in(*, in_chinese: bool) -> list[dict[str, Any]]:
    """The satisfaction-dimensions answer's list, named in one language."""
    key = "zh" if in_chinese else "en"
    return [
        {
            "satisfaction_id": dim["satisfaction_id"],
            "satisfaction_name": dim[key][0],
            "satisfaction_desc": dim[key][1],
            "value": dim["value"],
            "per_value": dim["per_value"],
            "sat_category_id": dim["sat_category_id"],
        }
        for dim in DIMENSIONS
    ]


def ticket_named(ticket: dict[str, Any], *, in_chinese: bool) -> dict[str, Any]:
    """A copy of a ticket (as listed or detailed) with its type, severity and source named in
    the language asked for; names without a Chinese one are left as they are."""
    if not in_chinese:
        return ticket
    named = dict(ticket)
    for key, names in _CHINESE.items():
        if key in named:
            named[key] = names.get(named[key], named[key])
    return named
