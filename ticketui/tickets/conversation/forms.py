"""The reply form under the ticket's conversation: the text, attachments (several files in one
multipart field) and the IAM group id, checked against the upstream's limits with the same
messages as the reply service and the command line."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ticketui.osm import limits
from ticketui.osm.results import AccessoryLimits

from .services import AttachmentInput, reply_validate
from .uploads import SIZE_MB_MAX, UPLOAD_TOO_LARGE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files under one name; the reply service checks how many."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(allow_empty_file=True, **kwargs)  # an empty file gets our own message

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class ReplyForm(forms.Form):
    content = forms.CharField(
        required=False,
        max_length=limits.REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Reply"),
        help_text=_("Posted to the ticket's conversation as the customer; up to 2000 characters."),
    )
    attachments = MultipleFileField(required=False, label=_("Attachments"))
    group_id = forms.CharField(
        required=False,
        max_length=limits.GROUP_ID_MAX,
        label=_("IAM group id"),
        help_text=_("Only when replying on a ticket opened by another member of your group."),
    )
    # One per rendered form: the same form sent twice is one reply (see reply_submit).
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(
        self,
        *args,
        accessory_limits: AccessoryLimits | None = None,
        refused_uploads: tuple[str, ...] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.accessory_limits = accessory_limits
        self.refused_uploads = refused_uploads
        self.fields["attachments"].help_text = attachment_help(accessory_limits)

    def clean(self):
        cleaned = super().clean()
        if self.refused_uploads:  # stopped while the request was read (uploads.py)
            size = self.accessory_limits.size_mb if self.accessory_limits else SIZE_MB_MAX
            for name in self.refused_uploads:
                self.add_error(
                    "attachments", gettext(UPLOAD_TOO_LARGE) % {"name": name, "size": size}
                )
            return cleaned
        if self.errors or self.accessory_limits is None:
            return cleaned
        try:
            reply_validate(
                content=cleaned.get("content", ""),
                group_id=cleaned.get("group_id", ""),
                attachments=self.attachment_inputs(),
                accessory_limits=self.accessory_limits,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field, messages)
        return cleaned

    def attachment_inputs(self) -> list[AttachmentInput]:
        return [
            AttachmentInput(name=upload.name, file=upload)
            for upload in self.cleaned_data.get("attachments") or []
        ]

    def submission(self) -> dict:
        """What reply_submit takes from this form."""
        data = self.cleaned_data
        return {
            "content": data["content"],
            "group_id": data["group_id"],
            "attachments": self.attachment_inputs(),
            "idempotency_key": data["idempotency_key"],
        }


def attachment_help(accessory_limits: AccessoryLimits | None) -> str:
    if accessory_limits is None:
        return gettext("Files are checked against the upstream's limits when the reply is sent.")
    return gettext(
        "Up to %(count)d files, each at most %(size)d MB; accepted types: %(types)s."
    ) % {
        "count": accessory_limits.per_message,
        "size": accessory_limits.size_mb,
        "types": ", ".join(accessory_limits.file_types),
    }
