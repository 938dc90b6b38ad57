"""The review page's filter: what it accepts, and how its dates become instants in the viewer's
time zone (Django's current time zone, which a per-user setting may activate)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ticketui.osm import limits
from ticketui.osm.catalogue import ACTION_LABELS

from .models import Kind, RecordOutcome
from .paging import DEFAULT_SORT, SORTS
from .selectors import ANY_FAILURE, RecordFilter

DATE_RANGE_BACKWARDS = _("The end date is before the start date.")

ACTION_CHOICES = [("", _("Any action")), *ACTION_LABELS.items()]
OUTCOME_CHOICES = [
    ("", _("Any outcome")),
    (ANY_FAILURE, _("Failed (any reason)")),
    *[(value, label) for value, label in RecordOutcome.choices if value != RecordOutcome.FAILED],
]
PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30, "90d": 90}
PERIOD_CHOICES = [
    ("", _("Any time")),
    ("today", _("Today")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
]


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: AbstractBaseUser) -> str:
        full_name = user.get_full_name()
        return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


class RecordFilterForm(forms.Form):
    agent = AgentChoiceField(
        queryset=get_user_model().objects.order_by("username"),
        to_field_name="username",
        required=False,
        empty_label=_("Any agent"),
        label=_("Agent"),
    )
    action = forms.ChoiceField(choices=ACTION_CHOICES, required=False, label=_("Action"))
    kind = forms.ChoiceField(
        choices=[("", _("Any kind")), *Kind.choices], required=False, label=_("Kind")
    )
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES, required=False, label=_("Outcome"))
    case_id = forms.CharField(max_length=limits.CASE_ID_MAX, required=False, label=_("Case id"))
    error_code = forms.CharField(max_length=64, required=False, label=_("Error code"))
    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, label=_("Period"))
    date_from = forms.DateField(
        required=False,
        label=pgettext_lazy("start of a date range", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        required=False,
        label=pgettext_lazy("end of a date range", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = forms.ChoiceField(
        choices=[(key, sort.label) for key, sort in SORTS.items()],
        required=False,
        label=_("Order"),
    )

    def __init__(self, *args: Any, viewer: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not viewer.has_perm("audit.view_all_records"):
            del self.fields["agent"]  # an agent only ever sees their own records

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", DATE_RANGE_BACKWARDS)
        return cleaned

    @property
    def sort_key(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else None) or DEFAULT_SORT

    def record_filter(self) -> RecordFilter:
        """The filter as instants: dates are whole days in the viewer's time zone."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        bounds_from, bounds_to = [], []
        if days := PERIOD_DAYS.get(data.get("period") or ""):
            today = timezone.localdate(timezone=zone)
            bounds_from.append(today - timedelta(days=days - 1))
        if data.get("date_from"):
            bounds_from.append(data["date_from"])
        if data.get("date_to") and data["date_to"] < date.max:  # the last day: no end
            bounds_to.append(data["date_to"] + timedelta(days=1))

        def midnight(day) -> datetime | None:
            """The day's start, or None (no bound) when it is not a moment every database and
            time zone can hold: the calendar's first day ahead of UTC, say."""
            moment = timezone.make_aware(datetime.combine(day, time.min), zone)
            try:
                moment.astimezone(UTC)
            except OverflowError:
                return None
            return moment

        return RecordFilter(
            agent=data.get("agent"),
            kind=data.get("kind") or "",
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            case_id=(data.get("case_id") or "").strip(),
            error_code=(data.get("error_code") or "").strip(),
            since=midnight(max(bounds_from)) if bounds_from else None,
            until=midnight(min(bounds_to)) if bounds_to else None,
        )

    def described(self) -> dict[str, str]:
        """The filter as the export record keeps it: the fields given, and the instants used."""
        described = {
            name: str(value.get_username() if name == "agent" else value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }
        bounds = self.record_filter()
        if bounds.since:
            described["since"] = bounds.since.isoformat()
        if bounds.until:
            described["until"] = bounds.until.isoformat()
        described["time_zone"] = timezone.get_current_timezone_name()
        return described
