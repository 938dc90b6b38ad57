"""The upstream's site, language and time-zone headers: their accepted values in one place."""

import re

LANGUAGES = ("zh-cn", "en-us")
# The dashboard's interface languages (Django's codes) and the X-Language each is sent as: a
# user sees the dashboard in the language the upstream is asked to answer in.
UPSTREAM_LANGUAGE = {"en": "en-us", "zh-hans": "zh-cn"}
INTERFACE_LANGUAGE = {upstream: interface for interface, upstream in UPSTREAM_LANGUAGE.items()}
_TIME_ZONE = re.compile(r"^GMT[+-](?:[0-9]|1[0-4])(?::(?:00|30|45))?$")


def is_valid_time_zone(value: str) -> bool:
    """True for the upstream's GMT offsets: GMT+8, GMT-5, GMT+5:30, GMT+5:45."""
    return bool(_TIME_ZONE.match(value))


def header_time_zone(offset_minutes: int) -> str:
    """A UTC offset in minutes as the upstream's X-Time-Zone value (330 -> GMT+5:30)."""
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"GMT{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def upstream_language(interface_language: str | None, default: str = "en-us") -> str:
    """The X-Language of an interface language ("zh-hans" -> "zh-cn", "zh-Hans" and "zh-cn"
    alike); `default` for one the dashboard does not speak."""
    code = (interface_language or "").lower()
    if code in INTERFACE_LANGUAGE:
        return code
    return UPSTREAM_LANGUAGE.get(code, UPSTREAM_LANGUAGE.get(code.split("-")[0], default))
