"""The team lead's form that gives a ticket (or many) to someone on the team, or to nobody."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import owner_candidates


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class AssignForm(forms.Form):
    owner = OwnerChoiceField(
        queryset=owner_candidates(), required=False, empty_label=_("Nobody"), label=_("Owner")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_candidates()  # afresh for each form
