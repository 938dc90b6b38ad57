"""The forms of saved views: saving the list's filter under a name, and renaming one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NAME_MAX, QUERY_MAX


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX, label=_("Name"))
    shared = forms.BooleanField(required=False, label=_("Share with the team"))
    # The list's query string when the form was shown (saved_view_query normalises it again).
    query = forms.CharField(required=False, max_length=QUERY_MAX * 2, widget=forms.HiddenInput)


class SavedViewChangeForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX, label=_("Name"))
    shared = forms.BooleanField(required=False, label=_("Share with the team"))
