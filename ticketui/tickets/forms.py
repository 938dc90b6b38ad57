"""Forms for the ticket list and tracking a ticket; and how a service's refusal lands on a form."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ticketui.integers import INTEGER_COLUMN_MAX
from ticketui.osm import limits

from .selectors import DEFAULT_SORT, LIST_SORTS
from .validation import case_id_validate

OWNER_ME, OWNER_NOBODY = "me", "none"
AGES = {"1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}
AGES["30d"] = timedelta(days=30)
AGE_CHOICES = [
    ("", _("Any age")),
    ("1d", _("Older than a day")),
    ("3d", _("Older than 3 days")),
    ("7d", _("Older than a week")),
    ("30d", _("Older than 30 days")),
]
UNKNOWN_OWNER = _("No user is called %(username)s.")


class TicketFilterForm(forms.Form):
    """The list's query string. A value it cannot use is left out (the other filters still
    apply), never a crash."""

    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    # Any status code: the upstream may use codes this dashboard has no name for.
    status = forms.IntegerField(
        required=False,
        label=_("Status"),
        min_value=-INTEGER_COLUMN_MAX - 1,
        max_value=INTEGER_COLUMN_MAX,
    )
    # "me" (whoever looks: a shared view of "my tickets" is each viewer's), "none" or a username.
    owner = forms.CharField(required=False, max_length=150, label=_("Owner"))
    age = forms.ChoiceField(required=False, choices=AGE_CHOICES, label=_("Age"))
    waiting = forms.BooleanField(required=False, label=_("Waiting too long"))
    severity = forms.CharField(required=False, max_length=100, label=_("Severity"))
    label = forms.CharField(required=False, max_length=100, label=_("Label"))
    unread = forms.BooleanField(required=False, label=_("Unread engineer messages"))
    sort = forms.ChoiceField(required=False, choices=[(name, name) for name in LIST_SORTS])
    page = forms.IntegerField(required=False, min_value=1)

    def clean_owner(self) -> AbstractBaseUser | str:
        value = self.cleaned_data["owner"].strip()
        if value in ("", OWNER_ME, OWNER_NOBODY):
            return value
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise ValidationError(UNKNOWN_OWNER, params={"username": value})
        return user

    def list_filters(self, *, viewer: AbstractBaseUser) -> dict:
        """ticket_list's arguments for what the form holds (after is_valid(); none unbound)."""
        data = getattr(self, "cleaned_data", {})
        owner = data.get("owner") or ""
        return {
            "search": data.get("q") or "",
            "status": data.get("status"),
            "owner_id": viewer.pk if owner == OWNER_ME else getattr(owner, "pk", None),
            "unassigned": owner == OWNER_NOBODY,
            "older_than": AGES.get(data.get("age") or ""),
            "waiting": bool(data.get("waiting")),
            "severity": (data.get("severity") or "").strip(),
            "label": (data.get("label") or "").strip(),
            "unread": bool(data.get("unread")),
            "sort": data.get("sort") or DEFAULT_SORT,
        }


class TrackTicketForm(forms.Form):
    case_id = forms.CharField(max_length=limits.CASE_ID_MAX, label=_("Case id"), strip=True)

    def clean_case_id(self) -> str:
        try:
            return case_id_validate(self.cleaned_data["case_id"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["case_id"]) from None


def form_add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: keys the form has as fields go on them, the
    rest (e.g. `survey`) above the form."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, messages in by_field.items():
        form.add_error(field if field in form.fields else None, messages)
