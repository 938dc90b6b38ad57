"""The database settings for a pooler (PgBouncer) or Django's own pool: strict, naming the
variable when a value is wrong."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://ticketui@db.internal:5432/ticketui"


def settings_in(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    base = {
        key: value for key, value in os.environ.items() if not key.startswith(("DB_", "SECRET"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"from ticketui import settings as s; print(repr(({expression})))"],
        env={**base, "SECRET_KEY": "the-current-key", "DEBUG": "false", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


DATABASE = "s.DATABASES['default']"


def test_by_default_postgresql_keeps_server_side_cursors_and_persistent_connections():
    result = settings_in(
        {"DATABASE_URL": POSTGRES},
        f"{DATABASE}['DISABLE_SERVER_SIDE_CURSORS'], {DATABASE}['CONN_MAX_AGE']",
    )

    assert result.stdout.strip() == "(False, 60)"


def test_behind_a_pooler_server_side_cursors_are_off_and_connections_end_with_each_request():
    result = settings_in(
        {"DATABASE_URL": POSTGRES, "DB_DISABLE_SERVER_SIDE_CURSORS": "true"},
        f"{DATABASE}['DISABLE_SERVER_SIDE_CURSORS'], {DATABASE}['CONN_MAX_AGE']",
    )

    assert result.stdout.strip() == "(True, 0)"


def test_django_s_own_pool_is_configured_from_its_size():
    result = settings_in(
        {"DATABASE_URL": POSTGRES, "DB_POOL_MAX_SIZE": "8"},
        f"{DATABASE}['OPTIONS']['pool'], {DATABASE}['CONN_MAX_AGE']",
    )

    assert result.stdout.strip() == "({'min_size': 2, 'max_size': 8, 'timeout': 10.0}, 0)"


def test_the_pool_refuses_persistent_connections():
    result = settings_in(
        {"DATABASE_URL": POSTGRES, "DB_POOL_MAX_SIZE": "8", "DB_CONN_MAX_AGE": "60"}, "1"
    )

    assert "DB_CONN_MAX_AGE must be 0 with DB_POOL_MAX_SIZE" in result.stderr


def test_the_pool_is_not_put_in_front_of_a_pooler():
    result = settings_in(
        {
            "DATABASE_URL": POSTGRES,
            "DB_POOL_MAX_SIZE": "8",
            "DB_DISABLE_SERVER_SIDE_CURSORS": "true",
        },
        "1",
    )

    assert "DB_POOL_MAX_SIZE is for a direct connection, not behind a pooler" in result.stderr


def test_previous_secret_keys_come_from_a_list_or_from_a_file(tmp_path):
    keys = tmp_path / "old-keys"
    keys.write_text("the-oldest-key\nthe-previous-key\n")

    from_list = settings_in({"SECRET_KEY_FALLBACKS": "key-a,key-b"}, "s.SECRET_KEY_FALLBACKS")
    from_file = settings_in({"SECRET_KEY_FALLBACKS_FILE": str(keys)}, "s.SECRET_KEY_FALLBACKS")

    assert from_list.stdout.strip() == "['key-a', 'key-b']"
    assert from_file.stdout.strip() == "['the-oldest-key', 'the-previous-key']"


def test_an_unreadable_fallbacks_file_names_the_variable(tmp_path):
    result = settings_in({"SECRET_KEY_FALLBACKS_FILE": str(tmp_path / "missing")}, "1")

    assert "SECRET_KEY_FALLBACKS_FILE: cannot read" in result.stderr
    assert result.returncode != 0


def test_the_current_key_is_not_also_a_fallback():
    result = settings_in({"SECRET_KEY_FALLBACKS": "older,the-current-key"}, "1")

    assert "SECRET_KEY_FALLBACKS must not hold the current SECRET_KEY" in result.stderr
