"""The bulk form on the ticket list: an operation, its description, and the tickets chosen (ids,
or the whole filter worked out on the server)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy

from ticketui.integers import INTEGER_COLUMN_MAX, IdListField
from ticketui.osm import limits
from ticketui.osm.catalogue import Action

from ..selectors import ticket_list


class BulkForm(forms.Form):
    action_id = forms.ChoiceField(choices=Action.choices, label=gettext_lazy("Operation"))
    operate_desc = forms.CharField(
        required=False, max_length=limits.TEXT_MAX, label=gettext_lazy("Description")
    )
    # Any id may be posted; the tickets that exist are the ones taken.
    ticket = IdListField(required=False)
    scope = forms.ChoiceField(choices=[("filter", "filter")], required=False)
    q = forms.CharField(required=False, max_length=200)
    status = forms.IntegerField(
        required=False, min_value=-INTEGER_COLUMN_MAX - 1, max_value=INTEGER_COLUMN_MAX
    )
    # One per rendered form: the same bulk form sent twice is one bulk operation.
    request_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def tickets(self):
        data = self.cleaned_data
        if data.get("scope") == "filter":
            return ticket_list(search=data.get("q") or "", status=data.get("status"))
        return ticket_list().filter(pk__in=data.get("ticket") or [])

    def selection(self) -> dict:
        data = self.cleaned_data
        if data.get("scope") == "filter":
            return {"scope": "filter", "q": data.get("q") or "", "status": data.get("status")}
        return {"scope": "tickets", "tickets": len(data.get("ticket") or [])}
