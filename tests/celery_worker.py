"""Start a real Celery worker process against the test database and the configured broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    queue: str
    transport_options: dict

    def send(self, task_name: str, *args):
        """Send a task to this worker's private queue over a connection of its own."""
        with celery_app.connection_for_write(transport_options=self.transport_options) as connection:
            return celery_app.send_task(task_name, args=args, queue=self.queue, connection=connection)


@contextmanager
def celery_worker(tmp_path: Path, **extra_env: str):
    """Run a fresh ``celery worker`` process serving a private queue; yields a :class:`Worker`.

    The worker sees the test database (tests using it must commit: ``transactional_db``) and the
    same broker as this process; with the filesystem broker both use a folder under ``tmp_path``.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "1",
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        **extra_env,
    }
    options = dict(celery_app.conf.broker_transport_options or {})
    if celery_app.conf.broker_url.startswith("filesystem://"):
        folder = tmp_path / "broker"
        for name in ("queue", "processed", "control"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        options |= {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield Worker(queue=queue, transport_options=options)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        worker_log = log.read()
        log.close()
        if process.returncode not in (0, -15):
            sys.stderr.write(worker_log)


def wait_for(condition, *, timeout: float = 30.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
