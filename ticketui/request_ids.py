"""Only a canonical UUID from a client's X-Request-Id is kept (django-guid then logs it, returns
it and sends it upstream); anything else is dropped before django-guid sees it, so a fresh id is
made. django-guid's own check accepts any form `uuid.UUID` parses (`urn:uuid:…`, `{…}`, 32 bare
hex digits), which would be forwarded upstream as sent."""

import re

CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
META_KEY = "HTTP_X_REQUEST_ID"


def request_id_filter_middleware(get_response):
    def middleware(request):
        sent = request.META.get(META_KEY)
        if sent is not None and not CANONICAL_UUID.fullmatch(sent):
            del request.META[META_KEY]
        return get_response(request)

    return middleware
