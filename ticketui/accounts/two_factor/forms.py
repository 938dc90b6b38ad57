from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("second factor", "Code"),
        max_length=40,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
    )


class FirstCodeForm(CodeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The six digits the app shows after adding ticketui.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
