"""Files to and from the upstream: an upload's multipart body, streamed from a file object, and a
download's bytes, streamed to the caller with a size cap. The client (client.py) sends both under
the same transport rules as every other call."""

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import IO, Any
from urllib.parse import unquote

import requests
import urllib3
from requests_toolbelt import MultipartEncoder

from . import limits
from .results import CallResult, DownloadInterrupted, DownloadTooLarge, Refusal, RequestRefused

DEFAULT_CONTENT_TYPE = "application/octet-stream"
_EXTENDED_NAME = re.compile(
    r"filename\*\s*=\s*(?P<charset>[A-Za-z0-9_-]*)'[^']*'(?P<value>[^;\s]+)", re.IGNORECASE
)
CHUNK_BYTES = 64 * 1024


class _Window:
    """Reads exactly `size` bytes of a file from `start`, so the length sent is the one measured."""

    def __init__(self, file: IO[bytes], start: int, size: int) -> None:
        file.seek(start)
        self._file = file
        self._left = size
        self.len = size

    def __len__(self) -> int:
        return self._left

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        chunk = self._file.read(wanted)
        self._left -= len(chunk)
        return chunk


@dataclass(frozen=True, kw_only=True)
class FileUpload:
    """UploadAccessory's form: a `file` part streamed from `file` (from its position when the
    upload was prepared to its end) and the `form_data` text part. The file must be seekable:
    its size is measured up front and each attempt (a retry after a failure to connect, or a
    repeat after a 401) starts again from the same position."""

    file: IO[bytes] = field(repr=False)
    file_name: str
    content_type: str
    form_data: str
    start: int
    size: int

    @classmethod
    def measure(
        cls, file: IO[bytes], *, file_name: str, content_type: str, form_data: str
    ) -> "FileUpload":
        try:
            start = file.tell()
            end = file.seek(0, os.SEEK_END)
            file.seek(start)
        except (AttributeError, OSError, ValueError):
            raise RequestRefused(
                Refusal.FILE_NOT_SEEKABLE, "The file to upload cannot be measured"
            ) from None
        return cls(
            file=file,
            file_name=file_name,
            content_type=content_type,
            form_data=form_data,
            start=start,
            size=end - start,
        )

    def encoder(self) -> MultipartEncoder:
        """A fresh multipart body, streamed: read in blocks as it is sent, never held whole."""
        return MultipartEncoder(
            fields=[
                ("form_data", self.form_data),
                (
                    "file",
                    (self.file_name, _Window(self.file, self.start, self.size), self.content_type),
                ),
            ]
        )

    def description(self) -> dict[str, Any]:
        """What the record keeps of the form (PreparedCall.body)."""
        return {
            "form_data": self.form_data,
            "file": {"name": self.file_name, "content_type": self.content_type, "size": self.size},
        }


def form_data_text(*, file_name: str, accessory_from: str, upload_type: int) -> str:
    text = json.dumps(
        {"fileName": file_name, "accessoryFrom": accessory_from, "uploadType": upload_type},
        ensure_ascii=False,
    )
    if not 1 <= len(text) <= limits.FORM_DATA_MAX:
        raise RequestRefused(Refusal.BAD_FORM, "The upload's form_data is too long")
    return text


def download_file_name(content_disposition: str, fallback: str) -> str:
    """The file name a Content-Disposition header gives (filename* or filename), reduced to a
    plain name: no directories, no control characters; `fallback` when there is none."""
    name = ""
    extended = _EXTENDED_NAME.search(content_disposition or "")
    if extended:  # filename* (RFC 5987) wins over the plain filename
        try:
            name = unquote(
                extended["value"], encoding=extended["charset"] or "utf-8", errors="strict"
            )
        except (LookupError, UnicodeDecodeError):
            name = ""
    if content_disposition and not name:
        message = EmailMessage()
        try:
            message["Content-Disposition"] = content_disposition
            name = message.get_filename() or ""
        except (ValueError, TypeError, IndexError):
            name = ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip().strip(".")
    return name[: limits.FILE_NAME_MAX] or fallback


class AccessoryDownload:
    """A download whose headers have arrived; iterate `chunks()` for the bytes. Use it as a
    context manager (or call close()) so the connection is released.

    Content type and file name (not published upstream) are read from Content-Type and
    Content-Disposition, with application/octet-stream and the caller's fallback name when
    missing. `result` is the call's outcome as far as the headers go, for the audit record;
    `bytes_read` and `complete` say how far the body went."""

    def __init__(
        self,
        *,
        result: CallResult,
        response: requests.Response,
        max_bytes: int,
        fallback_name: str,
        prefix: bytes = b"",
    ) -> None:
        self.result = result
        self._response = response
        self._prefix = prefix
        self.max_bytes = max_bytes
        self.content_type = response.headers.get("Content-Type", "").strip() or DEFAULT_CONTENT_TYPE
        self.file_name = download_file_name(
            response.headers.get("Content-Disposition", ""), fallback_name
        )
        length = response.headers.get("Content-Length", "")
        self.size: int | None = int(length) if length.isdigit() else None
        self.bytes_read = 0
        self.complete = False
        if self.size is not None and self.size > max_bytes:
            self.close()
            raise DownloadTooLarge(limit=max_bytes, announced=self.size, result=result)

    def chunks(self, chunk_size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The body, chunk by chunk. Raises DownloadTooLarge past `max_bytes` and
        DownloadInterrupted when the bytes stop coming; the connection is closed either way."""
        deadline = time.monotonic() + limits.DOWNLOAD_DEADLINE_SECONDS
        try:
            if self._prefix:
                yield from self._counted(self._prefix)
            while True:
                try:
                    chunk = self._response.raw.read(chunk_size, decode_content=True)
                except (
                    requests.exceptions.RequestException,
                    urllib3.exceptions.HTTPError,
                    OSError,
                ):
                    raise DownloadInterrupted(
                        bytes_read=self.bytes_read, result=self.result
                    ) from None
                if not chunk:
                    break
                yield from self._counted(chunk)
                if time.monotonic() > deadline:
                    raise DownloadInterrupted(bytes_read=self.bytes_read, result=self.result)
            if self.size is not None and self.bytes_read < self.size:
                raise DownloadInterrupted(bytes_read=self.bytes_read, result=self.result)
            self.complete = True
        finally:
            self.close()

    def _counted(self, chunk: bytes) -> Iterator[bytes]:
        self.bytes_read += len(chunk)
        if self.bytes_read > self.max_bytes:
            raise DownloadTooLarge(limit=self.max_bytes, announced=self.size, result=self.result)
        yield chunk

    def read_all(self) -> bytes:
        """The whole body (within max_bytes): for small files and tests."""
        return b"".join(self.chunks())

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> "AccessoryDownload":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
