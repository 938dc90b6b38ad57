"""The bulk form on the ticket list: an operation (or giving the tickets an owner), its
description, and the tickets chosen (ids, or the whole filter worked out on the server)."""

import uuid

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from ticketui.integers import INTEGER_COLUMN_MAX, IdListField
from ticketui.osm import limits
from ticketui.osm.catalogue import Action

from ..forms import TicketFilterForm
from ..ownership.forms import OwnerChoiceField
from ..ownership.selectors import owner_candidates
from ..selectors import ticket_list
from .models import ASSIGN_ACTION

BULK_ACTIONS = [*Action.choices, (ASSIGN_ACTION, gettext_lazy("Give to an owner"))]


class BulkForm(forms.Form):
    action_id = forms.ChoiceField(choices=BULK_ACTIONS, label=gettext_lazy("Operation"))
    # For ASSIGN_ACTION: who gets the tickets (empty: nobody).
    assignee = OwnerChoiceField(
        queryset=owner_candidates(), required=False, empty_label=gettext_lazy("Nobody")
    )
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
    # The list's whole query string (every filter it applies), for scope "filter".
    filters = forms.CharField(required=False, max_length=4000)
    # Leave out the tickets whose status does not allow the operation (the confirmation offers it).
    leave_out = forms.BooleanField(required=False)
    # One per rendered form: the same bulk form sent twice is one bulk operation.
    request_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = owner_candidates()

    def tickets(self, *, viewer: AbstractBaseUser):
        data = self.cleaned_data
        if data.get("scope") == "filter" and data.get("filters"):
            filters = TicketFilterForm(QueryDict(data["filters"]))
            filters.is_valid()
            return ticket_list(**filters.list_filters(viewer=viewer))
        if data.get("scope") == "filter":
            return ticket_list(search=data.get("q") or "", status=data.get("status"))
        return ticket_list().filter(pk__in=data.get("ticket") or [])

    def selection(self) -> dict:
        data = self.cleaned_data
        if data.get("scope") == "filter" and data.get("filters"):
            return {"scope": "filter", "filters": data["filters"]}
        if data.get("scope") == "filter":
            return {"scope": "filter", "q": data.get("q") or "", "status": data.get("status")}
        return {"scope": "tickets", "tickets": len(data.get("ticket") or [])}
