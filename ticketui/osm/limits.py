"""The upstream's documented field limits (osm-api.md §1), shared by forms, services and the sandbox."""

CASE_ID_MAX = 64
# Case ids the HTTP stack would not send as they are: as path segments they are dot segments,
# which requests and urllib3 remove (`…/cases/./action` goes out as `…/cases/action`).
DOT_SEGMENT_CASE_IDS = frozenset({".", ".."})
ACTION_ID_MAX = 64
TEXT_MAX = 400  # judgement, operate_desc
GROUP_ID_MAX = 64
TOKEN_MAX = 5000
SATISFACTION_ID_MAX = 9999
SCORE_MAX = 65535  # satisfaction_value, value, per_value
SATISFACTION_TEXT_MAX = 32  # satisfaction_name, sat_category_id, sat_category_name
SATISFACTION_ENTRIES_MAX = 100

# --- The conversation (osm-conversation.md) ------------------------------------------------
# Where the reference says a limit is "not published" (or its editions disagree), the value here
# is the project's choice; the client refuses a call that breaks one before sending it
# (results.RequestRefused), and the sandbox enforces the same values.

PAGE_LIMIT_MAX = 100  # `limit` of every paged call
OFFSET_MAX = 65535  # `offset` of every paged call
REPLY_MAX = (
    2000  # CreateMessages `content` (v2 documents 0-2000; what is read back may be cut to 400)
)
MESSAGE_READ_MAX = 400  # `content` as ListMessages documents it; longer text is kept, not cut
# At most this many attachments on one reply. CreateMessages publishes no count; ShowAccessoryLimits'
# `limit_count` (documented example 5) is read as the same limit and the smaller of the two wins.
MESSAGE_ACCESSORIES_MAX = 5
# An accessory id. CreateMessages documents each id as 1-32, UploadAccessory returns up to 64: an
# id the upstream returned itself is never refused, so 64 is enforced.
ACCESSORY_ID_MAX = 64
DOWNLOAD_IDS_MAX = 650  # DownloadAccessories' path value: one id, or several joined by commas
FORM_DATA_MAX = 5000  # UploadAccessory's `form_data` JSON text
FILE_NAME_MAX = 256  # `file_actual_name` as messages carry it
ACCESSORY_FROM = ("incident", "message")  # form_data `accessoryFrom`
UPLOAD_TYPES = (0, 1)  # form_data `uploadType`: 0 default, 1 markdown
# ShowAccessoryLimits fallback, used field by field when the call fails or a field is unreadable:
# the v1 API's published limits (2 MB, its type list), stricter than the v2 example (5, 4 MB, jpg).
FALLBACK_ACCESSORY_COUNT = 5
FALLBACK_ACCESSORY_SIZE_MB = 2
FALLBACK_ACCESSORY_TYPES = (
    "jpg", "jpeg", "bmp", "png", "gif", "txt", "doc", "docx", "rar", "zip", "pdf", "xls", "xlsx",
)  # fmt: skip
# `limit_size` is in "MB": read as 10**6 bytes, the smaller reading, so that a file this client lets
# through is never too large for an upstream that means MiB.
BYTES_PER_MB = 1_000_000
# A download is cut off (DownloadTooLarge) past this many bytes, whatever the upstream announces.
DOWNLOAD_MAX_BYTES = 100 * BYTES_PER_MB
# A download that trickles in never holds a worker longer than this.
DOWNLOAD_DEADLINE_SECONDS = 300.0
INSTANT_CASE_IDS_MAX = 100  # `case_ids` of the instant-message calls
CURSOR_MAX = 64  # `last_message_time_id`
LABEL_NAME_MAX = 64
LABEL_ID_MAX = 2147483647
LABEL_COLOR_MAX = 7  # "#RRGGBB"
CASE_LABELS_MAX = 5  # labels on one ticket (one doc edition says 3, the add call allows 5)
