from django.contrib.sessions.backends import cached_db

from . import PreparedRead


class SessionStore(PreparedRead, cached_db.SessionStore):
    pass
