"""Forms for the ticket pages; their limits are the upstream's (ticketui.osm.limits)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ticketui.osm import limits

from .services import case_id_validate, operation_validate
from .survey_forms import SurveyFieldsMixin

ACTION_CHOICES = [
    ("close", _("Close")),
    ("press", _("Urge the engineer")),
    ("cancel", _("Cancel")),
    ("delete", _("Delete")),
]


class TicketFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    # Any status code: the upstream may use codes this dashboard has no name for.
    status = forms.IntegerField(required=False, label=_("Status"))
    page = forms.IntegerField(required=False, min_value=1)


class TrackTicketForm(forms.Form):
    case_id = forms.CharField(max_length=limits.CASE_ID_MAX, label=_("Case id"), strip=True)

    def clean_case_id(self) -> str:
        try:
            return case_id_validate(self.cleaned_data["case_id"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["case_id"]) from None


class OperationForm(SurveyFieldsMixin, forms.Form):
    """An operation; when it is close, the survey (if the customer gave one) rides along."""

    action_id = forms.ChoiceField(
        choices=ACTION_CHOICES, widget=forms.RadioSelect, label=_("Operation")
    )
    operate_desc = forms.CharField(
        required=False,
        max_length=limits.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Description"),
        help_text=_("Sent to the upstream with the operation; up to 400 characters."),
    )
    group_id = forms.CharField(
        required=False,
        max_length=limits.GROUP_ID_MAX,
        label=_("IAM group id"),
        help_text=_("Only when acting on a ticket opened by another member of your group."),
    )

    # One per rendered form: the same form sent twice is one operation (see operation_submit).
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean(self):
        cleaned = super().clean()
        # The survey only rides on close; for other actions its (hidden) fields are ignored.
        if cleaned.get("action_id") == "close":
            ratings = self.survey_ratings()
            cleaned["judgement"] = cleaned.get("judgement", "")
            cleaned["satisfaction"] = self.survey_entries(ratings, required=False)
        else:
            self.survey_ignore()
            cleaned["judgement"], cleaned["satisfaction"] = "", []
        if not self.errors:
            try:
                operation_validate(
                    action_id=cleaned["action_id"],
                    operate_desc=cleaned["operate_desc"],
                    group_id=cleaned["group_id"],
                    judgement=cleaned["judgement"],
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field, messages)
        return cleaned
