"""How an attachment arrives on the web node: Django reads it into memory (up to
FILE_UPLOAD_MAX_MEMORY_SIZE) or into a temporary file that is deleted when the request ends; the
reply service streams it on to the upstream from there. This handler, first in
FILE_UPLOAD_HANDLERS, stops reading a file once it is past the upstream's size limit (and a
request once its files together are past what one reply may carry), so that an oversized upload
never fills the disk; the reply form then says which file was too large."""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext_noop

from .attachment_limits import attachment_limits_known

# ShowAccessoryLimits' `limit_size` has one or two digits: no upstream limit is above 99 MB, and
# until the limits were read no file larger than that is taken in.
SIZE_MB_MAX = 99
UPLOAD_TOO_LARGE = gettext_noop(
    "“%(name)s” is larger than %(size)d MB, the most the upstream takes; it was not uploaded."
)


class AttachmentSizeHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        known = attachment_limits_known()
        size_mb = known.size_mb if known else SIZE_MB_MAX
        self.file_cap = size_mb * 1_000_000
        self.request_cap = self.file_cap * (known.per_message if known else 5)
        self.total = 0
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        self.total += len(raw_data)
        if self.received > self.file_cap or self.total > self.request_cap:
            if self.request is not None:
                refused = getattr(self.request, "refused_uploads", ())
                self.request.refused_uploads = (*refused, self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) keeps the file


def refused_uploads(request) -> tuple[str, ...]:
    """The names of files this request's upload stopped reading."""
    return tuple(getattr(request, "refused_uploads", ()))
