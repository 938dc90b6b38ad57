"""The ticket's conversation on the upstream (osm-conversation.md): its messages and replies,
attachments and the instant-message feed (its labels: labels.py). OsmClient inherits these
calls; they use its transport (`_read`, `_prepare`, `send`, `_with_policy`, `_exchange`), so
every rule of client.py holds for them too: no redirects, bounded reads, retries only when never
sent, the breaker, X-Request-Id and the authenticator's headers.

Reads return typed results (results.py) or raise UpstreamError / CaseNotFound. Writes are
PreparedCalls, so that the caller can audit them before `send()`: prepare_message (a reply),
prepare_upload (an attachment), prepare_messages_read (marking the feed read). A call that
breaks one of the limits in limits.py raises RequestRefused before anything is sent."""

import mimetypes
from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from . import limits, parsing
from .results import (
    AccessoryFrom,
    AccessoryLimits,
    CallResult,
    CaseImStatus,
    CaseMessages,
    MessagePage,
    NewMessages,
    Outcome,
    PreparedCall,
    Refusal,
    RequestRefused,
    UnreadCount,
    UploadType,
    UpstreamError,
)
from .transfer import AccessoryDownload, FileUpload, form_data_text

if TYPE_CHECKING:
    from .client import CallContext, _Opened

SERVICE = "/v2/servicerequest"


class ConversationCalls:
    """Mixed into OsmClient; not used on its own."""

    if TYPE_CHECKING:  # provided by OsmClient
        _read: Callable[..., Any]
        _prepare: Callable[..., PreparedCall]
        send: Callable[[PreparedCall], CallResult]
        _with_policy: Callable[..., tuple[CallResult, "_Opened | None"]]
        _exchange: Callable[..., tuple[CallResult, "_Opened | None"]]

        @staticmethod
        def _case_path(case_id: str) -> str: ...

    # --- Messages -----------------------------------------------------------------------

    def list_messages(
        self,
        case_id: str,
        *,
        offset: int = 0,
        limit: int = limits.PAGE_LIMIT_MAX,
        group_id: str = "",
        context: "CallContext | None" = None,
    ) -> MessagePage:
        """ListMessages: one page of the thread, chronological (see results.MessagePage)."""
        params = page_params(offset, limit) | _group(group_id)
        data = self._read(
            f"{self._case_path(case_id)}/messages?{urlencode(params)}", context=context
        )
        data = data if isinstance(data, dict) else {}
        return MessagePage(
            count=parsing.int_or(data.get("count"), 0),
            offset=params["offset"],
            messages=parsing.messages(data.get("message_list")),
        )

    def list_latest_messages(
        self,
        case_id: str,
        *,
        limit: int = 20,
        group_id: str = "",
        context: "CallContext | None" = None,
    ) -> MessagePage:
        """The `limit` newest messages: one call when the thread is short, two otherwise (the
        first learns the count)."""
        limit = max(1, min(limit, limits.PAGE_LIMIT_MAX))
        first = self.list_messages(
            case_id, offset=0, limit=limit, group_id=group_id, context=context
        )
        if first.count <= len(first.messages):
            return first
        return self.list_messages_before(
            case_id, before=first.count, limit=limit, group_id=group_id, context=context
        )

    def list_messages_before(
        self,
        case_id: str,
        *,
        before: int,
        limit: int = 20,
        group_id: str = "",
        context: "CallContext | None" = None,
    ) -> MessagePage:
        """The `limit` messages before position `before` (counted from the oldest, as a page's
        `offset` is): one call. "Show older" passes the offset of the oldest message it shows,
        so messages that arrive meanwhile (at the end) shift nothing."""
        limit = max(1, min(limit, limits.PAGE_LIMIT_MAX))
        before = max(0, before)
        offset = max(0, before - limit)
        page = self.list_messages(
            case_id, offset=offset, limit=before - offset or 1, group_id=group_id, context=context
        )
        return MessagePage(
            count=page.count, offset=offset, messages=page.messages[: before - offset]
        )

    def prepare_message(
        self,
        *,
        case_id: str,
        content: str,
        accessory_ids: Iterable[str] = (),
        group_id: str = "",
        context: "CallContext | None" = None,
    ) -> PreparedCall:
        """CreateMessages (POST …/cases/{case_id}/message): a reply of at most limits.REPLY_MAX
        characters with at most limits.MESSAGE_ACCESSORIES_MAX attachments (ids from
        UploadAccessory). Blank text is refused unless the reply carries an attachment. The
        answer is `{error_code, error_msg}`; a reply is never sent twice (see send())."""
        ids = list(accessory_ids)
        if len(content) > limits.REPLY_MAX:
            raise RequestRefused(
                Refusal.REPLY_TOO_LONG, f"A reply holds at most {limits.REPLY_MAX} characters"
            )
        if not content.strip() and not ids:
            raise RequestRefused(Refusal.REPLY_EMPTY, "A reply needs text or an attachment")
        if len(ids) > limits.MESSAGE_ACCESSORIES_MAX:
            raise RequestRefused(
                Refusal.TOO_MANY_ATTACHMENTS,
                f"A reply carries at most {limits.MESSAGE_ACCESSORIES_MAX} attachments",
            )
        for accessory_id in ids:
            _check_accessory_id(accessory_id)
        message: dict[str, Any] = {"content": content}
        if ids:
            message["accessory_ids"] = ids
        body: dict[str, Any] = {"message": message} | _group(group_id)
        return self._prepare("POST", f"{self._case_path(case_id)}/message", body, context)

    # --- Attachments --------------------------------------------------------------------

    def accessory_limits(self, *, context: "CallContext | None" = None) -> AccessoryLimits:
        """ShowAccessoryLimits. Raises UpstreamError when the call fails: the caller may then
        use AccessoryLimits.fallback() (limits.FALLBACK_*), and should cache what it gets."""
        return parsing.accessory_limits(self._read(f"{SERVICE}/accessorys/limits", context=context))

    def prepare_upload(
        self,
        *,
        file: IO[bytes],
        file_name: str,
        accessory_limits: AccessoryLimits,
        accessory_from: AccessoryFrom = AccessoryFrom.MESSAGE,
        upload_type: UploadType = UploadType.DEFAULT,
        content_type: str = "",
        context: "CallContext | None" = None,
    ) -> PreparedCall:
        """UploadAccessory (POST …/accessorys, multipart/form-data): the `file` part streamed
        from `file` (seekable, from its current position to its end) and the `form_data` JSON
        text part (fileName, accessoryFrom, uploadType). The name is reduced to its last path
        part; its type (by extension), the size (1 byte to accessory_limits.max_bytes) and the
        name's length are checked before anything is sent. The answer's id: accessory_id_of()."""
        name = file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name or len(name) > limits.FILE_NAME_MAX or not name.isprintable():
            raise RequestRefused(
                Refusal.FILE_NAME, f"A file name has 1 to {limits.FILE_NAME_MAX} characters"
            )
        if not accessory_limits.allows_type(name):
            raise RequestRefused(
                Refusal.FILE_TYPE,
                "Files of this type are not accepted; accepted: "
                + ", ".join(accessory_limits.file_types),
            )
        upload = FileUpload.measure(
            file,
            file_name=name,
            content_type=content_type
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream",
            form_data=form_data_text(
                file_name=name, accessory_from=str(accessory_from), upload_type=int(upload_type)
            ),
        )
        if upload.size <= 0:
            raise RequestRefused(Refusal.FILE_EMPTY, "The file is empty")
        if upload.size > accessory_limits.max_bytes:
            raise RequestRefused(
                Refusal.FILE_TOO_LARGE, f"A file may have at most {accessory_limits.size_mb} MB"
            )
        call = self._prepare("POST", f"{SERVICE}/accessorys", None, context)
        return PreparedCall(
            method=call.method,
            path=call.path,
            body=upload.description(),
            headers=call.headers,
            upload=upload,
        )

    @staticmethod
    def accessory_id_of(result: CallResult) -> str:
        """The id an UploadAccessory answer gives ("" when it did not succeed or gave none)."""
        if not result.succeeded or not isinstance(result.data, dict):
            return ""
        accessory_id = result.data.get("accessory_id")
        return str(accessory_id) if accessory_id not in (None, "") else ""

    def upload_accessory(self, **upload: Any) -> str:
        """prepare_upload() and send() in one, for callers that do not audit the upload: the new
        accessory id, or UpstreamError."""
        result = self.send(self.prepare_upload(**upload))
        accessory_id = self.accessory_id_of(result)
        if not accessory_id:
            raise UpstreamError(result)
        return accessory_id

    def prepare_download(
        self,
        accessory_ids: str | Sequence[str],
        *,
        group_id: str = "",
        context: "CallContext | None" = None,
    ) -> PreparedCall:
        """DownloadAccessories (GET …/accessorys/{ids}): one id, or several joined by commas
        (at most limits.DOWNLOAD_IDS_MAX characters; the sandbox answers several with a zip)."""
        ids = [accessory_ids] if isinstance(accessory_ids, str) else list(accessory_ids)
        for accessory_id in ids:
            _check_accessory_id(accessory_id)
        joined = ",".join(ids)
        if not ids or len(joined) > limits.DOWNLOAD_IDS_MAX:
            raise RequestRefused(Refusal.BAD_ACCESSORY_ID, "Too many attachments at once")
        query = f"?{urlencode(_group(group_id))}" if group_id else ""
        path = f"{SERVICE}/accessorys/{quote(joined, safe=',')}{query}"
        return self._prepare("GET", path, None, context)

    def open_download(
        self,
        call: PreparedCall,
        *,
        max_bytes: int = limits.DOWNLOAD_MAX_BYTES,
        fallback_name: str = "attachment",
    ) -> AccessoryDownload:
        """Send a prepared download and hand back its answer once the headers are in, to be
        streamed (AccessoryDownload.chunks). A JSON answer carrying an error_code is an error
        (UpstreamError); an announced size past `max_bytes` is DownloadTooLarge at once."""
        result, opened = self._with_policy(call, lambda: self._exchange(call, keep_open=True))
        if opened is None or result.outcome is not Outcome.SUCCEEDED:
            raise UpstreamError(result)
        return AccessoryDownload(
            result=result,
            response=opened.response,
            max_bytes=max_bytes,
            fallback_name=fallback_name,
            prefix=opened.prefix,
        )

    # --- Instant messages ---------------------------------------------------------------

    def list_new_instant_messages(
        self,
        case_ids: Sequence[str],
        *,
        cursor: str = "",
        group_id: str = "",
        context: "CallContext | None" = None,
    ) -> NewMessages:
        """ListNewInstantMessages: messages newer than `cursor` on up to 100 tickets (see
        results.NewMessages for the cursor's rules)."""
        if len(cursor) > limits.CURSOR_MAX:
            raise RequestRefused(Refusal.BAD_CURSOR, "The message cursor is too long")
        params = {"case_ids": _case_ids(case_ids)} | _group(group_id)
        if cursor:
            params["last_message_time_id"] = cursor
        data = self._read(f"{SERVICE}/cases/instant-messages?{urlencode(params)}", context=context)
        data = data if isinstance(data, dict) else {}
        return NewMessages(
            cursor=parsing.text(data, "last_message_time_id") or cursor,
            cases=tuple(
                CaseMessages(
                    case_id=parsing.text(item, "incident_id"),
                    messages=parsing.messages(item.get("message_list")),
                )
                for item in parsing.dicts(data.get("immsg"))
            ),
            statuses=tuple(
                CaseImStatus(
                    case_id=parsing.text(item, "incident_id"),
                    status=parsing.int_or_none(item.get("status")),
                )
                for item in parsing.dicts(data.get("imstatus"))
            ),
        )

    def list_unread_instant_messages(
        self,
        case_ids: Sequence[str],
        *,
        group_id: str = "",
        context: "CallContext | None" = None,
    ) -> tuple[UnreadCount, ...]:
        """ListUnreadNewInstantMessages: unread engineer messages per ticket (up to 100)."""
        params = {"case_ids": _case_ids(case_ids)} | _group(group_id)
        data = self._read(
            f"{SERVICE}/cases/instant-messages/unread?{urlencode(params)}", context=context
        )
        items = data.get("imunread") if isinstance(data, dict) else None
        return tuple(
            UnreadCount(
                case_id=parsing.text(item, "incident_id"),
                unread=max(0, parsing.int_or(item.get("unread_num"), 0)),
                status=parsing.int_or_none(item.get("status")),
            )
            for item in parsing.dicts(items)
        )

    def prepare_messages_read(
        self, case_id: str, *, group_id: str = "", context: "CallContext | None" = None
    ) -> PreparedCall:
        """UpdateNewInstantMessagesRead: the ticket's messages are read (body `{}` or group_id)."""
        path = f"{self._case_path(case_id)}/instant-messages/unread"
        return self._prepare("POST", path, _group(group_id), context)

    def update_messages_read(
        self, case_id: str, *, group_id: str = "", context: "CallContext | None" = None
    ) -> CallResult:
        """prepare_messages_read() and send(); raises UpstreamError unless it succeeded."""
        result = self.send(self.prepare_messages_read(case_id, group_id=group_id, context=context))
        if not result.succeeded:
            raise UpstreamError(result)
        return result


def page_params(offset: int, limit: int) -> dict[str, int]:
    """`offset` and `limit` of a paged read (the labels' too), within the upstream's limits."""
    if not 0 <= offset <= limits.OFFSET_MAX:
        raise RequestRefused(Refusal.BAD_PAGE, f"offset is 0 to {limits.OFFSET_MAX}")
    return {"offset": offset, "limit": max(1, min(limit, limits.PAGE_LIMIT_MAX))}


def _group(group_id: str) -> dict[str, str]:
    if len(group_id) > limits.GROUP_ID_MAX:
        raise RequestRefused(
            Refusal.BAD_GROUP_ID, f"group_id has at most {limits.GROUP_ID_MAX} characters"
        )
    return {"group_id": group_id} if group_id else {}


def _case_ids(case_ids: Sequence[str]) -> str:
    """One comma-joined value, as Huawei's Python SDK sends it; an id holding a comma could
    not be told apart, so it is refused."""
    ids = [case_ids] if isinstance(case_ids, str) else list(case_ids)
    if not 1 <= len(ids) <= limits.INSTANT_CASE_IDS_MAX or any(
        not case_id or "," in case_id or len(case_id) > limits.CASE_ID_MAX for case_id in ids
    ):
        raise RequestRefused(
            Refusal.BAD_CASE_IDS,
            f"1 to {limits.INSTANT_CASE_IDS_MAX} ticket ids, each without a comma",
        )
    return ",".join(ids)


def _check_accessory_id(accessory_id: str) -> None:
    if (
        not isinstance(accessory_id, str)
        or not 1 <= len(accessory_id) <= limits.ACCESSORY_ID_MAX
        or "," in accessory_id
        or "/" in accessory_id
    ):
        raise RequestRefused(
            Refusal.BAD_ACCESSORY_ID,
            f"An attachment id has 1 to {limits.ACCESSORY_ID_MAX} characters",
        )
