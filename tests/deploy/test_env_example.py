"""`.env.example` copied to `.env`, as the README says, gives a configuration that starts."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the README's Deploying section says to set, as a .env would hold it.
README_MINIMUM = {
    "ALLOWED_HOSTS": "tickets.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://tickets.example.com",
    "OSM_ENDPOINT": "cn",
    "OSM_AUTH": "iam",
    "IAM_DOMAIN": "acme",
    "IAM_USER": "robot",
    "FORWARDED_ALLOW_IPS": "10.0.0.5",
}


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project whose .env is .env.example (the worktree's own .env, if any, and
    the test run's environment play no part)."""
    for name in ("ticketui", "templates", "static", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def set_in_env_file(project: Path, **values: str) -> None:
    """Edit .env as a person would: change the line (commented or not), or add it."""
    lines = (project / ".env").read_text().splitlines()
    for name, value in values.items():
        found = [i for i, line in enumerate(lines) if line.lstrip("#").startswith(f"{name}=")]
        if found:
            lines[found[0]] = f"{name}={value}"
        else:
            lines.append(f"{name}={value}")
    (project / ".env").write_text("\n".join(lines) + "\n")


def manage(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(project), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_line_of_the_example_is_a_comment_or_a_valid_setting(project):
    set_in_env_file(project, DEBUG="true")

    result = manage(project, "check")

    assert result.returncode == 0, result.stderr


def test_the_example_keeps_the_sandbox_defaults_for_iam_on_a_laptop(project):
    set_in_env_file(project, DEBUG="true", OSM_AUTH="iam")

    result = manage(
        project,
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.IAM_ENDPOINT, s.IAM_DOMAIN, s.IAM_USER)",
    )

    assert result.stdout.split()[-3:] == [
        "http://127.0.0.1:8001",
        "sandbox-account",
        "sandbox-agent",
    ]


def test_the_example_as_copied_without_a_secret_key_says_so(project):
    result = manage(project, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_example_with_the_readmes_minimum_passes_the_deploy_check(project):
    key_file = project / "secret-key"
    key_file.write_text("k" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789")
    password_file = project / "iam-password"
    password_file.write_text("not-the-real-password")
    set_in_env_file(
        project,
        SECRET_KEY_FILE=str(key_file),
        IAM_PASSWORD_FILE=str(password_file),
        DATABASE_URL=f"sqlite:///{project / 'db.sqlite3'}",
        **README_MINIMUM,
    )

    result = manage(project, "check", "--deploy")

    assert result.returncode == 0, result.stderr
    # No warning but the one saying IAM (on the internet) could not be reached from here.
    warnings = [
        line for line in result.stderr.splitlines() if "(ticketui." in line or "(security." in line
    ]
    assert all("ticketui.W003" in line for line in warnings), result.stderr


def test_a_variable_left_empty_takes_its_default(project):
    set_in_env_file(
        project, DEBUG="true", OSM_AUTH="iam", IAM_ENDPOINT="", IAM_DOMAIN="", OSM_TOKEN=""
    )

    result = manage(
        project,
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.IAM_ENDPOINT, s.IAM_DOMAIN)",
    )

    assert result.stdout.split()[-2:] == ["http://127.0.0.1:8001", "sandbox-account"], result.stderr


def test_every_variable_the_settings_read_is_listed_in_the_example():
    import re

    read = re.compile(r'(?:_read|_secret|_choice|_positive_float|env\.\w+)\(\s*"([A-Z][A-Z0-9_]*)"')
    names = set(read.findall((ROOT / "ticketui" / "settings.py").read_text()))
    names |= {
        f"{name}_FILE"
        for name in re.findall(
            r'_secret\(\s*"([A-Z_]+)"', (ROOT / "ticketui" / "settings.py").read_text()
        )
    }
    names |= set(
        re.findall(r'_setting\(\s*"([A-Z][A-Z0-9_]*)"', (ROOT / "gunicorn.conf.py").read_text())
    )
    names -= {"TEST_DATABASE_NAME"}  # the test suite's own
    example = (ROOT / ".env.example").read_text()

    missing = sorted(name for name in names if not re.search(rf"^#?{name}=", example, flags=re.M))

    assert len(names) > 40
    assert missing == []
