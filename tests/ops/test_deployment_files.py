"""The process and container files describe the same system as the settings."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_is_valid_and_mirrors_the_services():
    command = compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have docker compose or docker-compose to validate docker-compose.yml")
        pytest.skip("neither 'docker compose' nor 'docker-compose' is installed")
    result = subprocess.run(
        [*command, "-f", "docker-compose.yml", "config"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"db", "redis", "api", "celery_worker", "celery_beat", "celery_flower"}
    ports = {name: [str(p.get("published", p) if isinstance(p, dict) else p) for p in svc.get("ports", [])]
             for name, svc in services.items()}  # fmt: skip
    assert any("8080" in p for p in ports["api"])
    assert any("5555" in p for p in ports["celery_flower"])

    def command(name: str) -> str:  # v1 prints a string, v2 a list
        value = services[name]["command"]
        return value if isinstance(value, str) else " ".join(value)

    assert command("celery_beat").startswith("celery -A config beat")
    assert command("celery_worker").startswith("celery -A config worker")
    assert command("celery_flower").startswith("celery -A config flower")
    for name in ("api", "celery_worker", "celery_beat", "celery_flower"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def procfile(path: str) -> dict[str, str]:
    lines = (ROOT / path).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_procfile_runs_web_worker_beat_and_flower():
    processes = procfile("Procfile")
    assert set(processes) == {"release", "web", "worker", "beat", "flower"}
    assert processes["web"].startswith("gunicorn config.wsgi")
    assert "celery -A config worker" in processes["worker"]
    assert "celery -A config beat" in processes["beat"]
    assert "celery -A config flower" in processes["flower"]


def test_make_run_starts_web_on_port_8080_unless_told_otherwise_with_worker_and_beat():
    processes = procfile("Procfile.dev")
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].endswith("runserver 0.0.0.0:${PORT:-8080}")


def test_env_example_lists_every_variable_the_settings_read():
    import re

    settings_source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env\.(?:str|bool|int|float|list|db_url)\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "no variables found in settings"
    assert read - documented == set()
    reference = (ROOT / "docs" / "configuration.md").read_text()
    assert {name for name in read if f"`{name}`" not in reference} == set()
