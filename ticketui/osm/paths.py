"""The paths the client puts in its URLs, refused (RequestRefused) when the HTTP stack would send
another one: requests and urllib3 remove dot segments and re-quote, and the record of a call must
hold the path that went out."""

from urllib.parse import quote, urlsplit

import requests

from . import limits
from .results import Refusal, RequestRefused


def case_path(case_id: str) -> str:
    """The case's path, its id as one segment: '/', '?', '#', '&', space and non-ASCII are all
    encoded. An empty id or a dot segment ('.', '..') would reach another endpoint: refused."""
    if not case_id or case_id in limits.DOT_SEGMENT_CASE_IDS:
        raise RequestRefused(Refusal.BAD_CASE_ID, f"Case id {case_id!r} cannot be sent in a path")
    return f"/v2/servicerequest/cases/{quote(case_id, safe='')}"


def wire_path(endpoint: str, path: str) -> str:
    """`path` (with its query), refused unless requests puts it on the wire as it is."""
    url = endpoint + path
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    on_wire, wanted = urlsplit(prepared.url), urlsplit(url)
    if (on_wire.path, on_wire.query) != (wanted.path, wanted.query):
        raise RequestRefused(
            Refusal.PATH_CHANGED, f"{path!r} would be sent as {prepared.path_url!r}"
        )
    return path
