"""The operation form on the ticket page: an action, its description and group id, and on close
the customer's survey."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from ticketui.osm import limits
from ticketui.osm.catalogue import Action

from ..surveys.forms import SurveyFieldsMixin


class OperationForm(SurveyFieldsMixin, forms.Form):
    """An operation; when it is close, the survey (if the customer gave one) rides along."""

    action_id = forms.ChoiceField(
        choices=Action.choices, widget=forms.RadioSelect, label=_("Operation")
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
        if cleaned.get("action_id") != Action.CLOSE:
            # The survey only rides on close; for other actions its (hidden) fields are ignored.
            for name in [field.name for field in self.stars_fields] + ["comment"]:
                cleaned.pop(name, None)
                self._errors.pop(name, None)
        return cleaned

    def submission(self) -> dict:
        """What operation_submit takes from this form."""
        data = self.cleaned_data
        survey = self.survey_input() if data["action_id"] == Action.CLOSE else {}
        return {
            "action_id": data["action_id"],
            "operate_desc": data["operate_desc"],
            "group_id": data["group_id"],
            "idempotency_key": data["idempotency_key"],
            **survey,
        }
