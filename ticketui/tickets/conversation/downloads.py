"""An attachment handed to the browser: streamed from the upstream as it arrives (never held whole
on the web node), always as a download (`Content-Disposition: attachment`, with an ASCII name and
the real one as RFC 6266's filename*), with `X-Content-Type-Options: nosniff`, a sandboxing
Content-Security-Policy, and only content types that a browser does not run."""

import logging
from collections.abc import Iterator
from urllib.parse import quote

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop

from ticketui.audit.services import Origin
from ticketui.osm import limits
from ticketui.osm.results import DownloadInterrupted, DownloadTooLarge, UpstreamError

from ..models import Ticket
from ..outcomes import ERROR_CODE_MESSAGES
from .services import OpenedAttachment, attachment_interrupted

logger = logging.getLogger(__name__)

# Types served as the upstream labels them; anything else (HTML, SVG, XML, scripts, unknown) goes
# out as application/octet-stream, so no attachment can become a page of the dashboard.
SAFE_TYPES = frozenset(
    {
        "image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp",
        "application/pdf", "text/plain", "application/zip", "application/x-zip-compressed",
        "application/vnd.rar", "application/x-rar-compressed", "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)  # fmt: skip
OCTET_STREAM = "application/octet-stream"
DOWNLOAD_FAILED = gettext_noop("The attachment could not be fetched from the upstream: %(reason)s")
DOWNLOAD_TOO_LARGE = gettext_noop(
    "The attachment is larger than %(size)d MB, the most the dashboard passes on."
)


def safe_file_name(name: str) -> str:
    """A plain file name: no directories, no control characters (CR and LF included)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip().strip(".")
    return name[: limits.FILE_NAME_MAX] or "attachment"


def attachment_disposition(name: str) -> str:
    """`attachment` with an ASCII `filename` (quotes, backslashes and non-ASCII replaced) for old
    clients and the exact name as `filename*` (RFC 6266, UTF-8, percent-encoded)."""
    name = safe_file_name(name)
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\;%' else "_"
        for char in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def served_type(content_type: str) -> str:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type if media_type in SAFE_TYPES else OCTET_STREAM


def attachment_response(
    opened: OpenedAttachment, *, actor: AbstractBaseUser, origin: Origin
) -> StreamingHttpResponse:
    download = opened.download
    response = StreamingHttpResponse(
        _streamed(opened, actor=actor, origin=origin),
        content_type=served_type(download.content_type),
    )
    response["Content-Disposition"] = attachment_disposition(opened.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if download.size is not None:
        response["Content-Length"] = str(download.size)
    return response


def _streamed(opened: OpenedAttachment, *, actor, origin) -> Iterator[bytes]:
    """The bytes as they come; a download that breaks off is recorded, and the connection is
    then cut so that the browser sees an incomplete file rather than a complete wrong one."""
    try:
        yield from opened.download.chunks()
    except (DownloadInterrupted, DownloadTooLarge) as exc:
        attachment_interrupted(opened=opened, actor=actor, reason=str(exc), origin=origin)
        logger.warning("attachment download for %s broke off: %s", opened.record.case_id, exc)
        raise
    finally:
        opened.download.close()


def download_failed_page(request, ticket: Ticket, exc: Exception) -> HttpResponse:
    if isinstance(exc, DownloadTooLarge):
        reason = gettext(DOWNLOAD_TOO_LARGE) % {"size": exc.limit // limits.BYTES_PER_MB}
    else:
        result = exc.result if isinstance(exc, UpstreamError) else None
        code = result.error_code if result else ""
        known = ERROR_CODE_MESSAGES.get(code)
        detail = str(known) if known else (code or (result.detail if result else "") or str(exc))
        reason = gettext(DOWNLOAD_FAILED) % {"reason": detail}
    context = {"ticket": ticket, "reason": reason}
    return render(request, "tickets/conversation/download_failed.html", context, status=502)
