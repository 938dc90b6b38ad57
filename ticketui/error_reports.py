"""What error reports (the DEBUG page, error e-mails) may show. Django hides settings whose name
matches API|TOKEN|KEY|SECRET|PASS|SIGNATURE; this project also has OSM_SK, OSM_AK and URLs that
may carry a password (DATABASE_URL, CACHE_URL, a cache's LOCATION, OSM_ENDPOINT). So every
setting, request header, environment variable and frame variable is also cleansed by value:
each configured secret is replaced wherever it appears, and URLs lose their userinfo."""

import re
from pprint import pformat
from typing import Any

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

from .redaction import mask_userinfo

# The settings whose values are secrets: Django's pattern, plus AK/SK and DSNs.
SECRET_NAMES = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|PRIVATE|(^|_)(SK|AK)$"
    r"|(^|_)(DSN|DATABASE_URL|CACHE_URL)$",
    flags=re.I,
)
# Settings holding a secret value, whatever they are called; their values are hidden anywhere.
SECRET_SETTINGS = ("SECRET_KEY", "OSM_TOKEN", "IAM_PASSWORD", "OSM_SK", "OSM_AK", "METRICS_TOKEN")
SHORTEST_SECRET = 6  # shorter values (an empty one, "0") would mask ordinary text


class SecretsHidingFilter(SafeExceptionReporterFilter):
    hidden_settings = SECRET_NAMES

    @property
    def secret_values(self) -> list[str]:
        # Read afresh for every report: Django keeps one filter for the process, and a value
        # cached in it would miss a secret set (or rotated) after the first report.
        values = [str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS]
        values += [str(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        values += [str(db.get("PASSWORD") or "") for db in settings.DATABASES.values()]
        found = {value for value in values if len(value) >= SHORTEST_SECRET}
        return sorted(found, key=len, reverse=True)  # a longer secret first: it may hold another

    def hide(self, text: str) -> str:
        for secret in self.secret_values:
            text = text.replace(secret, self.cleansed_substitute)
        return mask_userinfo(text)

    def hide_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.hide(value)
        if isinstance(value, bytes):
            return self.hide(value.decode("utf-8", "replace")).encode()
        if value is None or isinstance(value, bool | int | float):
            return value
        try:
            shown = pformat(value)
        except Exception:  # the page then says "Error in formatting", as without this filter
            return value
        hidden = self.hide(shown)
        return value if hidden == shown else hidden

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, dict | list | tuple) or callable(cleansed):
            return cleansed  # its members were cleansed one by one
        return self.hide_value(cleansed)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self.hide_value(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
