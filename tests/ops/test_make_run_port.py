"""`make run` on another port: PORT moves the web process, the URLs it prints and the site's links."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from honcho.environ import expand_processes, parse_procfile

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"PORT", "SITE_URL", "MAKEFLAGS", "MFLAGS"}}
    env.update(extra)
    return env


def make_run_plan(*args, **env) -> list[str]:
    """The commands `make run` would run (`make -n`: printed, not run)."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    return lines[lines.index('echo ""') :]  # the run target's own lines, after its prerequisites'


@pytest.mark.parametrize(
    ("args", "env", "dot_env", "port"),
    [
        ((), {}, "", "8080"),
        (("PORT=9000",), {}, "", "9000"),
        ((), {"PORT": "9000"}, "", "9000"),
        ((), {}, "DEBUG=1\nPORT=9123\n", "9123"),
        (("PORT=9000",), {}, "PORT=9123\n", "9000"),
    ],
    ids=["default", "make-variable", "environment", "dot-env", "command-line-over-dot-env"],
)
def test_make_run_prints_and_starts_on_the_port(args, env, dot_env, port, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(dot_env)
    plan = make_run_plan(*args, ENV_FILE=str(env_file), **env)

    assert plan == [
        'echo ""',
        f'echo "  Web:        http://localhost:{port}/"',
        f'echo "  Admin:      http://localhost:{port}/admin/"',
        f'echo "  API docs:   http://localhost:{port}/api/v1/docs/"',
        f'echo "  Health:     http://localhost:{port}/health/"',
        'echo "  Ctrl-C stops web, worker and beat together."',
        'echo ""',
        f'SITE_URL="${{SITE_URL:-http://localhost:{port}}}" .venv/bin/honcho start -f Procfile.dev -p {port}',
    ]


def test_honcho_starts_the_web_process_on_the_port_it_is_given():
    processes = parse_procfile((ROOT / "Procfile.dev").read_text()).processes
    web = next(p for p in expand_processes(processes, port=9000) if p.name == "web.1")

    # The command as honcho's shell runs it, with the server swapped for echo.
    command = web.cmd.replace(".venv/bin/python manage.py runserver", "echo")
    started = subprocess.run(["sh", "-c", command], env=clean_env(**web.env), capture_output=True, text=True)

    assert started.stdout.strip() == "0.0.0.0:9000"
    assert web.cmd.endswith("runserver 0.0.0.0:${PORT:-8080}")  # 8080 when started without honcho


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://localhost:8080"),
        ({"PORT": "9000"}, "http://localhost:9000"),
        ({"PORT": "9000", "SITE_URL": "https://tickets.example.com/"}, "https://tickets.example.com"),
    ],
    ids=["default", "port", "site-url-wins"],
)
def test_links_use_the_port_unless_site_url_is_set(env, site_url):
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE="config.settings", ENV_FILE="", DEBUG="true", **env),
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == site_url
