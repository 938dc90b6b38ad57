"""No secret reaches the DEBUG error page (or an error e-mail) or a start-up error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-value-7f1c9a2e"
# Every setting that holds a secret today, and the ones announced for later.
SECRET_SETTINGS = ["SECRET_KEY", "OSM_TOKEN", "IAM_PASSWORD", "OSM_SK", "OSM_AK", "METRICS_TOKEN"]


def error_page(request=None, **locals_) -> str:
    request = request or RequestFactory().get("/tickets/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = technical_500_response(request, *sys.exc_info())
    return response.content.decode()


@pytest.mark.parametrize("name", SECRET_SETTINGS)
def test_the_error_page_hides_each_secret_setting(settings, name):
    setattr(settings, name, SECRET)

    page = error_page()

    assert "boom" in page  # it is the error page
    assert SECRET not in page


@pytest.mark.parametrize("name", SECRET_SETTINGS)
def test_the_error_page_hides_a_secret_copied_into_another_setting(settings, name):
    setattr(settings, name, SECRET)
    settings.SOME_HELPER_SETTING = f"prefix {SECRET} suffix"

    assert SECRET not in error_page()


def test_a_secret_set_after_an_earlier_error_page_is_hidden_too(settings):
    """Django keeps one report filter for the whole process: what it hides follows the settings
    of each report, not those of the first one."""
    settings.OSM_TOKEN = "first-token-value-0001"
    assert "first-token-value-0001" not in error_page()

    settings.OSM_TOKEN = SECRET
    settings.SOME_HELPER_SETTING = f"prefix {SECRET} suffix"

    assert SECRET not in error_page()


def test_the_error_page_hides_the_password_in_a_cache_url(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"redis://:{SECRET}@cache.internal:6379/1",
        }
    }

    assert SECRET not in error_page()


@pytest.mark.parametrize(
    "name", ["OSM_SK", "IAM_PASSWORD", "OSM_TOKEN_FILE_CONTENTS", "DATABASE_URL", "CACHE_URL"]
)
def test_the_error_page_hides_secrets_in_the_environment_of_the_request(settings, name):
    """The development server puts the whole environment (where .env is read into) in META."""
    settings.OSM_SK = SECRET
    value = f"postgres://app:{SECRET}@db/x" if name.endswith("_URL") else SECRET
    request = RequestFactory().get("/tickets/", **{name: value})

    assert SECRET not in error_page(request)


def test_the_error_page_hides_a_secret_held_in_a_local_variable(settings):
    settings.IAM_PASSWORD = SECRET

    def failing_view():
        body = {"password": settings.IAM_PASSWORD}  # noqa: F841 (shown by the page)
        raise RuntimeError("boom")

    try:
        failing_view()
    except RuntimeError:
        page = technical_500_response(RequestFactory().get("/"), *sys.exc_info()).content.decode()

    assert "failing_view" in page
    assert SECRET not in page


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OSM_ENDPOINT", f"ftp://agent:{SECRET}@osm.example.com"),
        ("OSM_ENDPOINT", f"https://agent:{SECRET}@osm.example.com"),
        ("OSM_ENDPOINT", f"https://agent:{SECRET}@"),
        ("IAM_ENDPOINT", f"ftp://agent:{SECRET}@iam.example.com"),
        ("IAM_ENDPOINT", f"https://agent:{SECRET}@iam.example.com"),
        ("DATABASE_URL", f"mysql://app:{SECRET}@db/x"),
        ("DATABASE_URL", f"postgres://app:{SECRET}@db:port/x"),
        ("CACHE_URL", f"nosuch://:{SECRET}@cache/1"),
    ],
)
def test_a_bad_url_setting_stops_start_up_without_showing_its_password(variable, value):
    env = {**os.environ, "DEBUG": "true", variable: value}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert variable in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_a_local_variable_that_cannot_be_shown_does_not_break_the_error_page(settings):
    class Unprintable:
        def __repr__(self):
            raise ValueError("no")

    def failing_view():
        thing = Unprintable()  # noqa: F841 (shown by the page)
        raise RuntimeError("boom")

    try:
        failing_view()
    except RuntimeError:
        response = technical_500_response(RequestFactory().get("/"), *sys.exc_info())

    assert response.status_code == 500
    assert "failing_view" in response.content.decode()
