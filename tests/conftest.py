"""Shared fixtures: the three kinds of user, and the sandbox upstream (in process for unit tests,
over real HTTP for end-to-end ones)."""

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.static_files import static_files_read_once
from tests.upstream import InProcessSandbox
from ticketui.sandbox.server import SandboxServer
from ticketui.sandbox.state import SandboxState
from ticketui.tickets.models import Ticket
from ticketui.tickets.roles import roles_ensure

# The upstream token every test sends (pyproject's pytest env). It must never show up in any
# test's captured output or logs, in a page, or in an audit record.
SECRET_CANARY = os.environ["OSM_TOKEN"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    leaks = [name for name, content in report.sections if SECRET_CANARY in content]
    if leaks:
        report.outcome = "failed"
        report.longrepr = f"The upstream token appeared in: {', '.join(leaks)}"


@pytest.fixture(autouse=True)
def _no_secret_in_pages(monkeypatch):
    original = Client.request

    def request_checked(self, **request):
        response = original(self, **request)
        if not response.streaming:
            assert SECRET_CANARY.encode() not in response.content, (
                f"token in the page {request.get('PATH_INFO')}"
            )
        return response

    monkeypatch.setattr(Client, "request", request_checked)


@contextmanager
def _once_per_run(tmp_path_factory, name: str):
    """Yields whether this process should do the step `name`: always without xdist; with it, the
    first worker to get there does it while the others wait on a lock, then skip it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield True
        return
    run_dir = tmp_path_factory.getbasetemp().parent  # shared by this run's workers
    with open(run_dir / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = run_dir / f"{name}.done"
        first = not done.exists()
        yield first
        if first:
            done.touch()


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations(django_test_environment, tmp_path_factory):
    """The Chinese catalog compiled from its .po, so that a bare `pytest` in a fresh clone shows
    the same pages as `make test` (compilemessages needs gettext's msgfmt)."""
    catalog = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django"
    source, compiled = catalog.with_suffix(".po"), catalog.with_suffix(".mo")
    with _once_per_run(tmp_path_factory, "compilemessages") as first:
        if first and (not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime):
            if not shutil.which("msgfmt"):
                pytest.exit(
                    "The translations need compiling: apt-get install gettext", returncode=1
                )
            call_command(
                "compilemessages", locale=["zh_Hans"], ignore_patterns=[".venv"], verbosity=0
            )


@pytest.fixture(scope="session", autouse=True)
def _collected_static_files(django_test_environment, tmp_path_factory):
    """Pages are rendered as in production, with hashed static file names; the files are
    collected once per run and read once per process (tests/static_files.py)."""
    with _once_per_run(tmp_path_factory, "collectstatic") as first:
        if first:
            call_command("collectstatic", interactive=False, verbosity=0)
    static_files_read_once()


@pytest.fixture
def redis_db_15_alone(tmp_path_factory):
    """Held by a test that uses (and empties) Redis's database 15, so that no other test process of
    this run uses it meanwhile."""
    run_dir = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_dir = run_dir.parent  # shared by this run's workers
    with open(run_dir / "redis-db-15.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """The circuit breaker and other shared state live in the cache; each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sandbox_state() -> SandboxState:
    return SandboxState.seeded(12, token=SECRET_CANARY, press_interval=300.0)


_password_only_login = Client.force_login


def force_login_password_only(client: Client, user) -> None:
    """Signed in with the password alone: the second step (code or enrolment) still ahead."""
    _password_only_login(client, user)


def enrolled_device(user) -> TOTPDevice:
    """The user's confirmed authenticator app, added if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current time step's, or the next one's when the current
    one was used already (a code is accepted once)."""
    device.refresh_from_db()
    now_step = int(time.time() - device.t0) // device.step
    step = max(now_step, device.last_t + 1)
    while step > int(time.time() - device.t0) // device.step + device.tolerance:
        time.sleep(1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def _forced_logins_give_both_factors(monkeypatch):
    """force_login stands for a completed sign-in: for a user whose role requires two-factor
    sign-in, that includes the second factor (tests/accounts/ drive both steps for real)."""
    from ticketui.accounts.two_factor.selectors import two_factor_required

    def force_login_both_factors(self, user, backend=None):
        _password_only_login(self, user, backend)
        if two_factor_required(user=user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrolled_device(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_both_factors)


@pytest.fixture
def sandbox(settings):
    """A fresh sandbox upstream answering in this process (through `responses`); the
    dashboard's settings point at it. End-to-end tests get `http_sandbox` under this name."""
    upstream = InProcessSandbox(_sandbox_state())
    settings.OSM_ENDPOINT = upstream.url
    settings.OSM_READ_TIMEOUT = 5.0
    with upstream.serving():
        yield upstream


@pytest.fixture
def http_sandbox(settings):
    """A fresh sandbox upstream served over real HTTP on a free port, for tests whose calls
    cross a process or a socket (faults, killed processes, the browser)."""
    server = SandboxServer(_sandbox_state()).start()
    settings.OSM_ENDPOINT = server.url
    settings.OSM_READ_TIMEOUT = 5.0
    yield server
    server.stop()


def _user(username: str, group: str | None) -> User:
    # Transactional (browser) tests empty the tables the roles migration filled.
    roles_ensure(Group, Permission)
    user = User.objects.create_user(
        username=username, password="correct horse battery", first_name=username.title()
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def support_user(db) -> User:
    return _user("sam", "Support")


@pytest.fixture
def team_lead(db) -> User:
    return _user("tess", "Team lead")


@pytest.fixture
def outsider(db) -> User:
    """Logged in, but in no group: may look at nothing that needs a role."""
    return _user("olly", None)


@pytest.fixture
def support_client(client, support_user):
    client.force_login(support_user)
    return client


@pytest.fixture
def lead_client(client, team_lead):
    client.force_login(team_lead)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def ticket(db) -> Ticket:
    """A tracked ticket awaiting confirmation (status 2) that the test sandbox also holds."""
    return Ticket.objects.create(case_id="CS2026090100003", summary="Replica lag", status=2)


@pytest.fixture
def db_vendor(db) -> str:
    return connection.vendor


@pytest.fixture
def dimensions(sandbox):
    """The sandbox's satisfaction dimensions, synced: 1 and 3 (5 stars of 1 point), 7 (5 stars of
    2 points, value 10)."""
    from ticketui.tickets.models import SatisfactionDimension
    from ticketui.tickets.surveys.dimensions import dimensions_sync

    dimensions_sync()
    sandbox.state.received.clear()  # tests count what the code under test sends
    return list(SatisfactionDimension.objects.all())


@pytest.fixture
def completed_ticket(db) -> Ticket:
    """A tracked, completed (status 3) and not yet rated ticket the test sandbox also holds."""
    return Ticket.objects.create(
        case_id="CS2026090100004", summary="Bucket 403", status=3, product_category="OBS"
    )
