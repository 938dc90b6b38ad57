"""Each user's own preferences: the language and time zone the upstream is asked to answer in
(X-Language, X-Time-Zone), and the time zone the dashboard shows times in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ticketui.osm.headers import header_time_zone

LANGUAGE_CHOICES = [("zh-cn", "中文 (zh-cn)"), ("en-us", "English (en-us)")]

# Every UTC offset in use, with places that keep it (daylight saving is not applied: an offset is
# what the upstream's X-Time-Zone takes).
_OFFSET_PLACES = {
    -720: "Baker Island",
    -660: "Pago Pago",
    -600: "Honolulu",
    -570: "Marquesas Islands",
    -540: "Anchorage (winter)",
    -480: "Los Angeles (winter)",
    -420: "Denver (winter), Phoenix",
    -360: "Mexico City, Chicago (winter)",
    -300: "New York (winter), Bogotá, Lima",
    -240: "Santiago, Caracas, New York (summer)",
    -210: "St. John's (winter)",
    -180: "São Paulo, Buenos Aires",
    -120: "South Georgia",
    -60: "Azores (winter), Cape Verde",
    0: "London (winter), Reykjavík, Accra",
    60: "Paris, Berlin, Lagos (winter)",
    120: "Cairo, Johannesburg, Athens (winter)",
    180: "Moscow, Istanbul, Riyadh, Nairobi",
    210: "Tehran",
    240: "Dubai, Baku",
    270: "Kabul",
    300: "Karachi, Tashkent",
    330: "India, Sri Lanka",
    345: "Nepal",
    360: "Dhaka, Almaty",
    390: "Yangon",
    420: "Bangkok, Jakarta, Ho Chi Minh City",
    480: "Beijing, Shanghai, Singapore, Hong Kong",
    525: "Eucla",
    540: "Tokyo, Seoul",
    570: "Adelaide (winter), Darwin",
    600: "Sydney (winter), Brisbane",
    630: "Lord Howe Island",
    660: "Nouméa, Solomon Islands",
    720: "Auckland (winter), Fiji",
    765: "Chatham Islands",
    780: "Tonga, Samoa",
    840: "Kiritimati",
}
TIME_ZONE_CHOICES = [
    (offset, f"{header_time_zone(offset)} — {places}") for offset, places in _OFFSET_PLACES.items()
]


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # Blank or null: the team's default from the settings (OSM_LANGUAGE, OSM_TIME_ZONE).
    language = models.CharField(_("language"), max_length=5, blank=True, choices=LANGUAGE_CHOICES)
    utc_offset_minutes = models.SmallIntegerField(
        _("time zone"), null=True, blank=True, choices=TIME_ZONE_CHOICES
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def header_time_zone(self) -> str:
        """The X-Time-Zone value of this profile's offset; empty when it has none."""
        if self.utc_offset_minutes is None:
            return ""
        return header_time_zone(self.utc_offset_minutes)
