"""Django's database and cached-database session stores, reading a session with a prepared query
(ticketui.prepared) instead of building the ORM's query on every request whose session the cache
has not: SESSION_ENGINE names `ticketui.session_stores.db` or `ticketui.session_stores.cached_db`."""

from django.contrib.sessions.models import Session
from django.utils import timezone

from ticketui.prepared import PreparedQuery

# No session key has this form (keys are lowercase letters and digits): it marks the key's place.
_ANY_KEY = "#any session key#"


def _session(key: str):
    return Session.objects.filter(session_key=key).values_list("session_data", "expire_date")


_SESSION = PreparedQuery(_session, sentinel=_ANY_KEY)


class PreparedRead:
    """Mixed into a database-backed SessionStore: what Django's _get_session_from_db() returns
    (a Session, or None with the key forgotten when there is none or it has expired)."""

    def _get_session_from_db(self):
        key = self.session_key
        rows = _SESSION.rows(key) if key else []
        if rows and rows[0][1] > timezone.now():
            data, expire_date = rows[0]
            return Session(session_key=key, session_data=data, expire_date=expire_date)
        self._session_key = None
        return None
