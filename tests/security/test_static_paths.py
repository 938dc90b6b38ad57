"""The development server hands static files to whitenoise, as production does: a path that
climbs out of the static files is a plain 404 there too, never a server error."""

import pytest
from django.core.management import get_commands, load_command_class
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def development_server_response(path: str) -> tuple[str, bytes]:
    command = load_command_class(get_commands()["runserver"], "runserver")
    options = command.create_parser("manage.py", "runserver").parse_args([])
    handler = command.get_handler(**vars(options))
    environ = RequestFactory().get("/").environ | {"PATH_INFO": path}
    answered = []
    body = b"".join(handler(environ, lambda status, headers, *_: answered.append(status)))
    return answered[0], body


@pytest.mark.parametrize(
    "path", ["/static/../../ticketui/settings.py", "/static/..\\..\\manage.py", "/static/%00"]
)
def test_a_static_path_out_of_the_static_files_is_not_found(settings, path):
    settings.DEBUG = True

    status, body = development_server_response(path)

    assert status.startswith("404")
    assert b"SECRET_KEY" not in body


def test_the_development_server_serves_the_static_files_through_whitenoise(settings):
    settings.DEBUG = True

    status, body = development_server_response("/static/css/app.css")

    assert status.startswith("200")
    assert body
