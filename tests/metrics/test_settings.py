"""The metrics settings: strict, and naming the variable when a value is wrong."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_in(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("METRICS_", "PROMETHEUS_"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"from ticketui import settings as s; print(repr(({expression})))"],
        env={**base, "SECRET_KEY": "x", "DEBUG": "false", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_endpoint_is_off_by_default():
    result = settings_in({}, "s.METRICS_TOKEN, s.METRICS_ALLOWED_ADDRESSES")

    assert result.stdout.strip() == "('', ())"


def test_the_token_can_come_from_a_file(tmp_path):
    secret = tmp_path / "metrics-token"
    secret.write_text("token-from-a-file-0123\n")

    result = settings_in({"METRICS_TOKEN_FILE": str(secret)}, "s.METRICS_TOKEN")

    assert result.stdout.strip() == "'token-from-a-file-0123'"


def test_a_short_token_stops_start_up_without_showing_it():
    result = settings_in({"METRICS_TOKEN": "short-tok"}, "1")

    assert "METRICS_TOKEN must be at least 16 characters" in result.stderr
    assert "short-tok" not in result.stderr


def test_the_allow_list_takes_addresses_and_networks():
    result = settings_in(
        {"METRICS_ALLOWED_ADDRESSES": "10.0.0.9, 10.0.1.0/24,::1"},
        "[str(n) for n in s.METRICS_ALLOWED_ADDRESSES]",
    )

    assert result.stdout.strip() == "['10.0.0.9/32', '10.0.1.0/24', '::1/128']"


def test_a_wrong_address_names_the_variable():
    result = settings_in({"METRICS_ALLOWED_ADDRESSES": "10.0.0.x"}, "1")

    assert "METRICS_ALLOWED_ADDRESSES: '10.0.0.x' does not appear to be" in result.stderr


def test_the_multiprocess_directory_must_exist(tmp_path):
    result = settings_in({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "missing")}, "1")

    assert "PROMETHEUS_MULTIPROC_DIR must be an existing directory" in result.stderr
