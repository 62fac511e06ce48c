"""Celery is wired to Django: a real worker process runs our tasks; beat reads its schedule from the database."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from piquetickets.orders.models import TicketHold
from tests.celery_worker import celery_worker, wait_for
from tests.factories import HoldFactory


def test_tasks_are_registered_and_scheduled():
    celery_app.loader.import_default_modules()
    assert "orders.release_expired_holds" in celery_app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["release-expired-holds"]["task"] == "orders.release_expired_holds"
    assert celery_app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_releases_expired_holds(tmp_path):
    expired = HoldFactory(expires_at=timezone.now() - timedelta(minutes=1))
    live = HoldFactory(expires_at=timezone.now() + timedelta(minutes=10))

    with celery_worker(tmp_path) as worker:
        result = worker.send("orders.release_expired_holds")
        released = wait_for(lambda: TicketHold.objects.get(pk=expired.pk).status == "released", timeout=60)
        # The task's transaction commits before the worker logs that it succeeded: wait for that line too.
        wait_for(lambda: "succeeded" in (tmp_path / "worker.log").read_text(), timeout=30)
        log = (tmp_path / "worker.log").read_text()

    assert released, f"the worker did not run the task; its log:\n{log}"
    assert "orders.release_expired_holds" in log
    assert "succeeded" in log
    assert result.id in log
    assert TicketHold.objects.get(pk=live.pk).status == "active"


@pytest.mark.django_db(transaction=True)
def test_beat_syncs_the_schedule_into_the_database():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    DatabaseScheduler(app=celery_app, lazy=False)
    task = PeriodicTask.objects.get(name="release-expired-holds")
    assert task.task == "orders.release_expired_holds"
    assert task.interval.every == 60
    assert task.interval.period == "seconds"
    assert task.enabled


@pytest.mark.skipif(not settings.REDIS_URL, reason="Flower needs a broker it can inspect: runs in the Redis pass")
def test_flower_starts_and_answers_its_health_check(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import urllib.request

    from tests.celery_worker import ROOT

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ENV_FILE": "", "DEBUG": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "flower", f"--port={port}", "--address=127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthcheck", timeout=2) as response:
                return response.read() == b"OK"
        except OSError:
            return False

    try:
        assert wait_for(answers, timeout=30)
    finally:
        process.terminate()
        process.wait(timeout=10)
