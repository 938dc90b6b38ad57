"""Forms for the ticket list and tracking a ticket; and how a service's refusal lands on a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ticketui.integers import INTEGER_COLUMN_MAX
from ticketui.osm import limits

from .validation import case_id_validate


class TicketFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    # Any status code: the upstream may use codes this dashboard has no name for.
    status = forms.IntegerField(
        required=False,
        label=_("Status"),
        min_value=-INTEGER_COLUMN_MAX - 1,
        max_value=INTEGER_COLUMN_MAX,
    )


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
