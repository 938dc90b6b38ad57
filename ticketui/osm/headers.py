"""The upstream's site, language and time-zone headers: their accepted values in one place."""

import re

LANGUAGES = ("zh-cn", "en-us")
_TIME_ZONE = re.compile(r"^GMT[+-](?:[0-9]|1[0-4])(?::(?:00|30|45))?$")


def is_valid_time_zone(value: str) -> bool:
    """True for the upstream's GMT offsets: GMT+8, GMT-5, GMT+5:30, GMT+5:45."""
    return bool(_TIME_ZONE.match(value))


def header_time_zone(offset_minutes: int) -> str:
    """A UTC offset in minutes as the upstream's X-Time-Zone value (330 -> GMT+5:30)."""
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"GMT{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
