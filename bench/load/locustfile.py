"""Agents browsing, searching and operating, for `python -m bench.load.run`.

Each simulated agent starts signed in (or logs in, without LOAD_SESSIONS), then keeps choosing: the ticket list (60%), a search (20%),
or opening a ticket and urging its engineer (20%). Every operation's X-Request-Id is written to
OPERATIONS_LOG so the run can check each one left exactly one complete audit record."""

import os
import random
import re
import threading
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test-password")
AGENTS = int(os.environ.get("LOAD_AGENTS", "50"))
OPERATIONS_LOG = os.environ.get("LOAD_OPERATIONS_LOG", "/tmp/ticketui-load-operations.txt")
# Every operation's id, noted before it is sent: one whose outcome never came back (its node
# died) may have left one record, never two.
SENT_LOG = os.environ.get("LOAD_OPERATIONS_SENT_LOG", OPERATIONS_LOG + ".sent")
SESSIONS = os.environ.get("LOAD_SESSIONS", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
TICKET_LINK = re.compile(r'href="(/tickets/\d+/)"')
WORDS = ["SSH", "OBS", "replica", "invoice", "IAM", "CCE", "负载均衡", "云服务器", "CS2026"]
_next_agent = iter(range(1, 10**6))
_lock = threading.Lock()
_log = open(OPERATIONS_LOG, "a", encoding="utf-8")  # noqa: SIM115 - one file for the whole run
_sent_log = open(SENT_LOG, "a", encoding="utf-8")  # noqa: SIM115 - likewise
_sessions = Path(SESSIONS).read_text(encoding="utf-8").split() if SESSIONS else []


@events.quitting.add_listener
def _close_log(environment, **kwargs):
    _log.close()
    _sent_log.close()


def _write(log, request_id: str) -> None:
    with _lock:
        log.write(request_id + "\n")
        log.flush()


class Agent(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        with _lock:
            number = (next(_next_agent) - 1) % AGENTS + 1
        if SESSIONS:  # signed in before the run (see run.py)
            name, value = _sessions[number - 1].split("=", 1)
            self.client.cookies.set(name, value)
        else:
            page = self.client.get("/accounts/login/", name="login page")
            token = CSRF.search(page.text).group(1)
            self.client.post(
                "/accounts/login/",
                {
                    "username": f"load-agent-{number}",
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token,
                },
                name="log in",
            )
        self.tickets = TICKET_LINK.findall(self.client.get("/", name="ticket list").text) or ["/"]

    @task(6)
    def browse(self):
        page = random.randint(1, 40)
        response = self.client.get(f"/?page={page}", name="ticket list")
        self.tickets = TICKET_LINK.findall(response.text) or self.tickets

    @task(2)
    def search(self):
        self.client.get(
            "/", params={"q": random.choice(WORDS)}, headers={"HX-Request": "true"}, name="search"
        )

    @task(2)
    def urge(self):
        url = random.choice(self.tickets)
        page = self.client.get(url, name="ticket page")
        csrf, key = CSRF.search(page.text), KEY.search(page.text)
        if not (csrf and key):
            return
        request_id = uuid.uuid4().hex  # the dashboard keeps a valid incoming id as its own
        _write(_sent_log, request_id)
        with self.client.post(
            f"{url}operations",
            {
                "action_id": "press",
                "operate_desc": "Load test: please look again",
                "idempotency_key": key.group(1),
                "csrfmiddlewaretoken": csrf.group(1),
            },
            headers={
                "HX-Request": "true",
                "X-CSRFToken": csrf.group(1),
                "X-Request-Id": request_id,
            },
            name="operate (press)",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or 'id="operation-result"' not in response.text:
                response.failure(f"no outcome shown (HTTP {response.status_code})")
                return
            _write(_log, response.headers.get("X-Request-Id", request_id))
        # What the page does on "ticket-changed": reload its header (refreshing the ticket from
        # the upstream) and its timeline.
        htmx = {"HX-Request": "true"}
        self.client.get(f"{url}summary", headers=htmx, name="ticket header after operating")
        self.client.get(f"{url}timeline", headers=htmx, name="timeline after operating")
