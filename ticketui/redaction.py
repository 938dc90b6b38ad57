"""Hiding credentials in text meant for people: the password in a URL's userinfo
(`postgres://app:secret@db/x`, `redis://:secret@cache:6379/1`). Plain functions, no Django, so
that settings.py can use them in its start-up errors."""

import re

# scheme://user:password@host or scheme://:password@host; the userinfo ends at the last "@"
# before the host (a password may itself hold "@" or ":").
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s'\"]*)@")
MASK = "***"


def mask_userinfo(text: str) -> str:
    """`text` with the userinfo of every URL in it replaced by `***` (the user name too: some
    deployments put a token there)."""
    return _USERINFO.sub(lambda match: f"{match['scheme']}{MASK}@", text)
