"""gunicorn.conf.py: where it listens, what it reads from .env, and no control socket."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def printed_config(folder: Path, **env: str) -> dict[str, str]:
    shutil.copy(ROOT / "gunicorn.conf.py", folder / "gunicorn.conf.py")
    result = subprocess.run(
        [GUNICORN, "--print-config", "-c", "gunicorn.conf.py", "ticketui.wsgi"],
        cwd=folder,
        env={"PATH": os.environ["PATH"], "HOME": str(folder), "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    pairs = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def test_it_listens_on_the_loopback_address_by_default(tmp_path):
    config = printed_config(tmp_path, PORT="8123")

    assert config["bind"] == "['127.0.0.1:8123']"


def test_bind_and_the_proxy_address_are_read_from_the_env_file(tmp_path):
    (tmp_path / ".env").write_text(
        "BIND=0.0.0.0:9000\nFORWARDED_ALLOW_IPS=10.0.0.5\nWEB_CONCURRENCY=\n"
    )

    config = printed_config(tmp_path)

    assert config["bind"] == "['0.0.0.0:9000']"
    assert config["forwarded_allow_ips"] == "['10.0.0.5']"
    assert config["workers"] == "2"  # empty: the default


def test_the_environment_wins_over_the_env_file(tmp_path):
    (tmp_path / ".env").write_text("BIND=0.0.0.0:9000\n")

    config = printed_config(tmp_path, BIND="127.0.0.1:9001")

    assert config["bind"] == "['127.0.0.1:9001']"


def test_there_is_no_control_socket_unless_one_is_named(tmp_path):
    assert printed_config(tmp_path)["control_socket_disable"] == "True"

    named = printed_config(tmp_path, GUNICORN_CONTROL_SOCKET="/run/ticketui/gunicorn.ctl")

    assert named["control_socket_disable"] == "False"
    assert named["control_socket"] == "/run/ticketui/gunicorn.ctl"
