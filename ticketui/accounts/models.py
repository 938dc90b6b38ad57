"""Each user's own preferences: the language and time zone the upstream is asked to answer in
(X-Language, X-Time-Zone), and the time zone the dashboard shows times in."""

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ticketui.osm.headers import header_time_zone

LANGUAGE_CHOICES = [("zh-cn", "中文 (zh-cn)"), ("en-us", "English (en-us)")]

# Every UTC offset in use, with places that keep it (daylight saving is not applied: an offset is
# what the upstream's X-Time-Zone takes).
_OFFSET_PLACES = {
    -720: _("Baker Island"),
    -660: _("Pago Pago"),
    -600: _("Honolulu"),
    -570: _("Marquesas Islands"),
    -540: _("Anchorage (winter)"),
    -480: _("Los Angeles (winter)"),
    -420: _("Denver (winter), Phoenix"),
    -360: _("Mexico City, Chicago (winter)"),
    -300: _("New York (winter), Bogotá, Lima"),
    -240: _("Santiago, Caracas, New York (summer)"),
    -210: _("St. John's (winter)"),
    -180: _("São Paulo, Buenos Aires"),
    -120: _("South Georgia"),
    -60: _("Azores (winter), Cape Verde"),
    0: _("London (winter), Reykjavík, Accra"),
    60: _("Paris, Berlin, Lagos (winter)"),
    120: _("Cairo, Johannesburg, Athens (winter)"),
    180: _("Moscow, Istanbul, Riyadh, Nairobi"),
    210: _("Tehran"),
    240: _("Dubai, Baku"),
    270: _("Kabul"),
    300: _("Karachi, Tashkent"),
    330: _("India, Sri Lanka"),
    345: _("Nepal"),
    360: _("Dhaka, Almaty"),
    390: _("Yangon"),
    420: _("Bangkok, Jakarta, Ho Chi Minh City"),
    480: _("Beijing, Shanghai, Singapore, Hong Kong"),
    525: _("Eucla"),
    540: _("Tokyo, Seoul"),
    570: _("Adelaide (winter), Darwin"),
    600: _("Sydney (winter), Brisbane"),
    630: _("Lord Howe Island"),
    660: _("Nouméa, Solomon Islands"),
    720: _("Auckland (winter), Fiji"),
    765: _("Chatham Islands"),
    780: _("Tonga, Samoa"),
    840: _("Kiritimati"),
}
TIME_ZONE_CHOICES = [
    (offset, format_lazy("{} — {}", header_time_zone(offset), places))
    for offset, places in _OFFSET_PLACES.items()
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
