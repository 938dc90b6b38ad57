"""Writes for the conversation: a reply posted upstream (CreateMessages) with the attachments it
carries uploaded first (UploadAccessory), and an attachment fetched through the dashboard
(DownloadAccessories). Every call goes the operations' way (tickets/sending.py): the operator
check, the upstream's limits checked before anything is sent, a pending audit record committed
before the call and completed after it, and the form's one-time key, so that a double click or
a second tab posts one reply. The view, the command line and tests all send through
`reply_submit`."""

import logging
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from ticketui.accounts.selectors import profile_call_context
from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.services import (
    NO_ORIGIN,
    Origin,
    audit_event,
    audit_operation_finish,
    audit_operation_start,
)
from ticketui.osm import limits
from ticketui.osm.client import CallContext, OsmClient
from ticketui.osm.configured import get_client
from ticketui.osm.results import (
    AccessoryLimits,
    AccessoryRef,
    DownloadTooLarge,
    RequestRefused,
    UpstreamError,
)
from ticketui.osm.transfer import AccessoryDownload

from ..models import Ticket
from ..sending import DUPLICATE_POLL_SECONDS, operation_replay, operator_check, recorded_send
from ..validation import case_id_sendable_check, text_errors
from .attachment_limits import attachment_limits
from .selectors import tickets_unread_count_read_one

logger = logging.getLogger(__name__)

# A reply's record has no action id: its kind says what it is (the one-time key checks kind,
# ticket and person, so a key from an operation form is refused here).
REPLY_ACTION = ""
REPLY_EMPTY = gettext_noop("Write a reply or attach a file.")
TOO_MANY_FILES = gettext_noop("A reply carries at most %(count)d attachments.")
FILE_TYPE_REFUSED = gettext_noop(
    "“%(name)s”: files of this type are not accepted. Accepted: %(types)s."
)
FILE_TOO_LARGE = gettext_noop("“%(name)s” is larger than %(size)d MB, the most the upstream takes.")
FILE_EMPTY = gettext_noop("“%(name)s” is empty.")
FILE_NAME_BAD = gettext_noop("A file name has 1 to %(max)d printable characters.")
REPLY_IN_PROGRESS = gettext_noop(
    "This form is being sent already (a second click or another tab). Reload the page in a "
    "moment to see its outcome."
)
NO_PERMISSION_TO_VIEW = "You do not have permission to view tickets."
ATTACHMENT_NOT_IN_THREAD = "The ticket's conversation has no such attachment."
# How many pages of the thread a download looks through for its attachment.
THREAD_PAGES_MAX = 50
# What a second submission waits for the first one's reply beyond the upstream's timeouts, per call.
REPLY_WAIT_MARGIN_SECONDS = 5.0


@dataclass(frozen=True, kw_only=True)
class AttachmentInput:
    """A file to attach: its name as the agent gave it and a seekable binary file (an upload
    Django keeps in memory or in a temporary file, or a file the command line opened)."""

    name: str
    file: IO[bytes]

    @property
    def size(self) -> int:
        start = self.file.tell()
        end = self.file.seek(0, os.SEEK_END)
        self.file.seek(start)
        return end - start


def attachment_errors(
    attachments: Sequence[AttachmentInput], accessory_limits: AccessoryLimits
) -> list[str]:
    """What is wrong with the files of one reply against the upstream's limits."""
    if len(attachments) > accessory_limits.per_message:
        return [gettext(TOO_MANY_FILES) % {"count": accessory_limits.per_message}]
    errors = []
    for attachment in attachments:
        name = attachment.name.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name or len(name) > limits.FILE_NAME_MAX or not name.isprintable():
            errors.append(gettext(FILE_NAME_BAD) % {"max": limits.FILE_NAME_MAX})
        elif not accessory_limits.allows_type(name):
            types = ", ".join(accessory_limits.file_types)
            errors.append(gettext(FILE_TYPE_REFUSED) % {"name": name, "types": types})
        elif attachment.size > accessory_limits.max_bytes:
            errors.append(
                gettext(FILE_TOO_LARGE) % {"name": name, "size": accessory_limits.size_mb}
            )
        elif attachment.size == 0:
            errors.append(gettext(FILE_EMPTY) % {"name": name})
    return errors


def reply_validate(
    *,
    content: str,
    group_id: str,
    attachments: Sequence[AttachmentInput],
    accessory_limits: AccessoryLimits,
) -> None:
    """Raise ValidationError, keyed by field, for anything outside the upstream's limits."""
    errors: dict[str, list[str]] = {}
    if content_errors := text_errors(content, limits.REPLY_MAX):
        errors["content"] = content_errors
    elif not content.strip() and not attachments:
        errors["content"] = [gettext(REPLY_EMPTY)]
    if group_errors := text_errors(group_id, limits.GROUP_ID_MAX):
        errors["group_id"] = group_errors
    if file_errors := attachment_errors(attachments, accessory_limits):
        errors["attachments"] = file_errors
    if errors:
        raise ValidationError(errors)


def reply_submit(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    content: str,
    attachments: Sequence[AttachmentInput] = (),
    group_id: str = "",
    origin: Origin = NO_ORIGIN,
    idempotency_key: UUID | None = None,
) -> AuditRecord:
    """Post a reply upstream and return its completed audit record; or, when an attachment
    could not be uploaded, that upload's record (the reply is then not sent). Each attachment is
    uploaded first, audited on its own. A form sent twice returns the first submission's record
    (waiting for it while it is on its way) and uploads nothing again. A reply whose answer did
    not come is recorded unknown and never sent again by the dashboard."""
    operator_check(actor)
    case_id_sendable_check(ticket.case_id)
    if idempotency_key is not None and (
        earlier := reply_replay(key=idempotency_key, ticket=ticket, actor=actor)
    ):
        return earlier
    client = get_client()
    context = profile_call_context(user=actor)
    reply_validate(
        content=content,
        group_id=group_id,
        attachments=attachments,
        accessory_limits=attachment_limits(client=client),
    )
    accessory_ids = []
    for index, attachment in enumerate(attachments):
        key = _upload_key(idempotency_key, index)
        record, accessory_id = _upload(client, attachment, ticket, actor, origin, key, context)
        if record is None:  # this form's first submission is uploading it: wait for its reply
            return _reply_awaited(idempotency_key, ticket, actor, uploads=len(attachments))
        if not accessory_id:
            return record
        accessory_ids.append(accessory_id)
    try:
        call = client.prepare_message(
            case_id=ticket.case_id,
            content=content,
            accessory_ids=accessory_ids,
            group_id=group_id,
            context=context,
        )
    except RequestRefused as exc:  # the last line behind reply_validate
        raise ValidationError({"content": [str(exc)]}) from None
    record, _ = recorded_send(
        client=client,
        call=call,
        actor=actor,
        kind=Kind.REPLY,
        case_id=ticket.case_id,
        action_id=REPLY_ACTION,
        origin=origin,
        idempotency_key=idempotency_key,
    )
    return record


def reply_replay(*, key: UUID, ticket: Ticket, actor: AbstractBaseUser) -> AuditRecord | None:
    """The record of this form's earlier reply, once answered (see operation_replay)."""
    return operation_replay(
        key=key, kind=Kind.REPLY, case_id=ticket.case_id, action_id=REPLY_ACTION, actor=actor
    )


def _upload_key(key: UUID | None, index: int) -> UUID | None:
    """Each attachment of a form has a key of its own, derived from the form's: a form sent
    twice uploads each file once."""
    return uuid.uuid5(key, f"attachment-{index}") if key is not None else None


def _upload(
    client: OsmClient,
    attachment: AttachmentInput,
    ticket: Ticket,
    actor: AbstractBaseUser,
    origin: Origin,
    key: UUID | None,
    context: CallContext,
) -> tuple[AuditRecord | None, str]:
    """Upload one file, audited: its record and the id the upstream gave ("" if none); no
    record when this key's upload was started by another submission."""
    try:
        call = client.prepare_upload(
            file=attachment.file,
            file_name=attachment.name,
            accessory_limits=attachment_limits(client=client),
            context=context,
        )
    except RequestRefused as exc:
        raise ValidationError({"attachments": [str(exc)]}) from None
    record, result = recorded_send(
        client=client,
        call=call,
        actor=actor,
        kind=Kind.UPLOAD,
        case_id=ticket.case_id,
        action_id=REPLY_ACTION,
        origin=origin,
        idempotency_key=key,
    )
    if result is None:
        return None, ""
    return record, client.accessory_id_of(result)


def _reply_awaited(
    key: UUID | None, ticket: Ticket, actor: AbstractBaseUser, *, uploads: int
) -> AuditRecord:
    """The reply of this form's first submission, once it is written (each of its uploads and
    the reply itself may take the upstream's full timeouts)."""
    per_call = settings.OSM_CONNECT_TIMEOUT + settings.OSM_READ_TIMEOUT + REPLY_WAIT_MARGIN_SECONDS
    deadline = time.monotonic() + per_call * (uploads + 1)
    while key is not None and time.monotonic() < deadline:
        if earlier := reply_replay(key=key, ticket=ticket, actor=actor):
            return earlier
        time.sleep(DUPLICATE_POLL_SECONDS)
    raise ValidationError(gettext(REPLY_IN_PROGRESS))


# --- Downloads ------------------------------------------------------------------------------


class AttachmentNotFound(Exception):
    """The accessory is not one of the ticket's messages' attachments."""


@dataclass(frozen=True, kw_only=True)
class OpenedAttachment:
    record: AuditRecord
    download: AccessoryDownload
    file_name: str


def attachment_open(
    *, actor: AbstractBaseUser, ticket: Ticket, accessory_id: str, origin: Origin = NO_ORIGIN
) -> OpenedAttachment:
    """Start downloading one of the ticket's attachments, audited: the record is completed once
    the upstream's headers are in (a download that breaks off later is recorded too, see
    attachment_interrupted). Only an attachment of this ticket's thread is fetched, so a ticket
    page cannot be used to read another ticket's files. Raises AttachmentNotFound,
    UpstreamError (the thread or the file could not be read) or DownloadTooLarge."""
    if not actor.has_perm("tickets.view_ticket"):
        raise PermissionDenied(NO_PERMISSION_TO_VIEW)
    case_id_sendable_check(ticket.case_id)
    client = get_client()
    context = profile_call_context(user=actor)
    reference = _thread_attachment(client, ticket.case_id, accessory_id, context)
    call = client.prepare_download(accessory_id, context=context)
    record = audit_operation_start(
        actor=actor,
        kind=Kind.DOWNLOAD,
        case_id=ticket.case_id,
        action_id=REPLY_ACTION,
        call=call,
        origin=origin,
    )
    try:
        download = client.open_download(call, fallback_name=reference.file_name or "attachment")
    except (UpstreamError, DownloadTooLarge) as exc:
        audit_operation_finish(record=record, result=exc.result)
        raise
    audit_operation_finish(record=record, result=download.result)
    return OpenedAttachment(
        record=record, download=download, file_name=reference.file_name or download.file_name
    )


def attachment_interrupted(
    *, opened: OpenedAttachment, actor: AbstractBaseUser, reason: str, origin: Origin = NO_ORIGIN
) -> AuditRecord:
    """A download whose bytes stopped coming or ran past the size allowed, after its record was
    completed: a second record says how far it went."""
    return audit_event(
        kind=Kind.DOWNLOAD,
        actor=actor,
        case_id=opened.record.case_id,
        outcome=RecordOutcome.FAILED,
        detail=reason,
        data={"download": opened.record.pk, "bytes_sent": opened.download.bytes_read},
        origin=origin,
    )


def _thread_attachment(
    client: OsmClient, case_id: str, accessory_id: str, context: CallContext
) -> AccessoryRef:
    if not 1 <= len(accessory_id) <= limits.ACCESSORY_ID_MAX or "," in accessory_id:
        raise AttachmentNotFound(ATTACHMENT_NOT_IN_THREAD)
    offset = 0
    for _page in range(THREAD_PAGES_MAX):
        page = client.list_messages(case_id, offset=offset, context=context)
        for message in page.messages:
            for reference in message.accessories:
                if reference.accessory_id == accessory_id:
                    return reference
        offset += len(page.messages)
        if not page.messages or offset >= page.count or offset > limits.OFFSET_MAX:
            break
    raise AttachmentNotFound(ATTACHMENT_NOT_IN_THREAD)


def conversation_mark_read(*, ticket: Ticket, actor: AbstractBaseUser) -> bool:
    """The viewer has read the thread: tell the upstream (UpdateNewInstantMessagesRead) and
    clear the ticket's unread count. Only when there is something unread; a call that fails is
    logged and leaves the count, so the next opening tries again. True when it was cleared."""
    if not ticket.unread_messages or not actor.has_perm("tickets.view_ticket"):
        return False
    try:
        get_client().update_messages_read(ticket.case_id, context=profile_call_context(user=actor))
    except (UpstreamError, RequestRefused) as exc:
        logger.warning("messages of ticket %s not marked read: %s", ticket.pk, exc)
        return False
    Ticket.objects.filter(pk=ticket.pk).update(unread_messages=0, updated_at=timezone.now())
    ticket.unread_messages = 0
    tickets_unread_count_read_one()
    return True
