"""The upstream authentication settings: strict, and naming the variable when a value is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def settings_in(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OSM_", "IAM_", "CACHE_URL"))
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


def test_the_international_preset_sets_the_endpoint_and_the_site():
    result = settings_in({"OSM_ENDPOINT": "intl", "OSM_TOKEN": "t"}, "s.OSM_ENDPOINT, s.OSM_SITE")

    assert result.stdout.strip() == "('https://osm.ap-southeast-3.myhuaweicloud.com', 1)"


def test_the_china_preset_sets_the_endpoint_and_the_china_site():
    result = settings_in({"OSM_ENDPOINT": "cn", "OSM_TOKEN": "t"}, "s.OSM_ENDPOINT, s.OSM_SITE")

    assert result.stdout.strip() == "('https://osm.cn-south-1.myhuaweicloud.com', 0)"


def test_iam_against_the_real_upstream_names_the_missing_variables():
    result = settings_in({"OSM_ENDPOINT": "cn", "OSM_AUTH": "iam", "IAM_DOMAIN": "acme"}, "1")

    assert "OSM_AUTH=iam needs IAM_USER, IAM_PASSWORD (or IAM_PASSWORD_FILE)" in result.stderr


def test_the_iam_password_can_come_from_a_file(tmp_path):
    secret = tmp_path / "iam-password"
    secret.write_text("from-a-file\n")
    env = {
        "OSM_ENDPOINT": "cn",
        "OSM_AUTH": "iam",
        "IAM_DOMAIN": "acme",
        "IAM_USER": "robot",
        "IAM_PASSWORD_FILE": str(secret),
    }

    result = settings_in(env, "s.IAM_PASSWORD == 'from-a-file', s.IAM_ENDPOINT")

    assert result.stdout.strip() == "(True, 'https://iam.myhuaweicloud.com')"


def test_aksk_names_what_is_missing():
    result = settings_in({"OSM_ENDPOINT": "intl", "OSM_AUTH": "aksk", "OSM_AK": "ak"}, "1")

    assert "OSM_AUTH=aksk needs OSM_SK (or OSM_SK_FILE), OSM_DOMAIN_ID" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OSM_AUTH", "password", "OSM_AUTH must be one of token, iam, aksk"),
        ("IAM_ENDPOINT", "http://iam.example.com", "IAM_ENDPOINT must use https"),
        ("IAM_RENEW_BEFORE", "soon", "IAM_RENEW_BEFORE"),
        ("CACHE_URL", "nosuch://x", "CACHE_URL"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value, message):
    result = settings_in({name: value}, "1")

    assert result.returncode != 0
    assert message in result.stderr
