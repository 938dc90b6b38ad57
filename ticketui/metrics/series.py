"""The series counted in the process where things happen. With PROMETHEUS_MULTIPROC_DIR set
(before Python starts), each process writes them to a file there and a scrape adds them up."""

from prometheus_client import Counter, Histogram

UPSTREAM_CALLS = Counter(
    "ticketui_upstream_calls",
    "Calls to the upstream OSM API, each send counted once (a retry is a second call), by "
    "method, endpoint template and outcome; not_sent includes calls held back by the breaker.",
    ["method", "endpoint", "outcome"],
)
UPSTREAM_CALL_SECONDS = Histogram(
    "ticketui_upstream_call_duration_seconds",
    "How long each call that went out took, until its answer was read or it failed.",
    ["method", "endpoint"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60),
)
LOGIN_FAILURES = Counter(
    "ticketui_login_failures",
    "Failed sign-ins (wrong password, unknown or inactive user, or refused while locked out).",
)
LOGIN_LOCKOUTS = Counter(
    "ticketui_login_lockouts",
    "Times a username and address pair was locked out after too many failed sign-ins.",
)
