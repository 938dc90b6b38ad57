"""The team lead's satisfaction report filters: a period (both days included) and optionally one
agent or product."""

from collections.abc import Sequence
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

REPORT_DEFAULT_DAYS = 30
REPORT_MAX_DAYS = 3 * 366
START_AFTER_END = "The start date is after the end date."
RANGE_TOO_LONG = "Choose a period of at most %(days)d days (this one has %(length)d)."


def default_start(end: date) -> date:
    """The first of the default period's days, or the calendar's first day when it is nearer."""
    return end - min(timedelta(days=REPORT_DEFAULT_DAYS - 1), end - date.min)


class SatisfactionReportForm(forms.Form):
    """The report's period (both days included; the last 30 days unless chosen) and filters."""

    start = forms.DateField(
        required=False,
        label=pgettext_lazy("start of a date range", "From"),
        widget=forms.DateInput({"type": "date"}, "%Y-%m-%d"),
    )
    end = forms.DateField(
        required=False,
        label=pgettext_lazy("end of a date range", "To"),
        widget=forms.DateInput({"type": "date"}, "%Y-%m-%d"),
    )
    agent = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Agent"))
    # Offered from the tracked tickets' products; any product name may be asked for.
    product = forms.CharField(
        required=False, max_length=200, label=_("Product"), widget=forms.Select
    )

    def __init__(
        self,
        *args,
        agents: Sequence[tuple[int, str]] = (),
        products: Sequence[str] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # The period shown is the one reported, defaults included.
            self.data = self.data.copy()
            try:
                end = date.fromisoformat(self.data.get("end") or "")
            except ValueError:
                end = timezone.localdate()
                if not self.data.get("end"):
                    self.data["end"] = end.isoformat()
            if not self.data.get("start"):
                self.data["start"] = default_start(end).isoformat()
        self.fields["agent"].choices = [("", _("Every agent")), *agents]
        asked = self.data.get("product", "") if self.is_bound else ""
        products = [*products, asked] if asked and asked not in products else products
        self.fields["product"].widget.choices = [("", _("Every product"))] + [
            (product, product) for product in products
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end: date = cleaned.get("end") or timezone.localdate()
        start: date = cleaned.get("start") or default_start(end)
        if start > end:
            raise ValidationError(START_AFTER_END)
        length = (end - start).days + 1
        if length > REPORT_MAX_DAYS:
            raise ValidationError(RANGE_TOO_LONG % {"days": REPORT_MAX_DAYS, "length": length})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned
