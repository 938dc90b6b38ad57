"""Only a UUID in one of two plain forms is kept from a client's X-Request-Id: lowercase with
dashes, or the 32 lowercase hex digits this application makes itself (django-guid then logs it,
returns it and sends it upstream). Anything else is dropped before django-guid sees it, so a
fresh id is made: django-guid's own check accepts any form `uuid.UUID` parses (`urn:uuid:…`,
`{…}`, upper case), which would be forwarded upstream as sent."""

import re

CANONICAL_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}"
)
META_KEY = "HTTP_X_REQUEST_ID"


def request_id_filter_middleware(get_response):
    def middleware(request):
        sent = request.META.get(META_KEY)
        if sent is not None and not CANONICAL_UUID.fullmatch(sent):
            del request.META[META_KEY]
        return get_response(request)

    return middleware
