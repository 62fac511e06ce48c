"""Shared pieces of the benchmarks: a throw-away PostgreSQL database, gunicorn, and a load generator.

Benchmarks print figures; they assert nothing. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def bench_env(database: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ALLOW_TEST_PAYMENTS": "1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"{PG}/{database}",
        "THROTTLE_ANON": "100000000/min",
        "THROTTLE_USER": "100000000/min",
        "THROTTLE_WRITE": "100000000/min",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore::UserWarning",
        **extra,
    }


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


@contextmanager
def fresh_database(name: str):
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return result.stdout


@contextmanager
def gunicorn_process(env: dict, *, port: int, workers: int, threads: int = 1, wait: float = 30):
    """gunicorn serving the app on 127.0.0.1:``port``, once ``/health/`` answers (within ``wait`` seconds,
    or sooner if it exits); yields ``(host, the master's Popen)``."""
    cmd = [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads), "--log-level", "warning", "--keep-alive", "30"]  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield f"127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def gunicorn(env: dict, *, port: int, workers: int, threads: int = 1, wait: float = 30):
    with gunicorn_process(env, port=port, workers=workers, threads=threads, wait=wait) as (host, _process):
        yield host


def _client_worker(args) -> tuple[list[float], int, int]:
    """One load process: ``threads`` keep-alive connections requesting for ``seconds``."""
    host, method, paths, body, headers, seconds, threads = args
    latencies: list[float] = []
    errors = [0]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop(index: int) -> None:
        connection = http.client.HTTPConnection(host, timeout=10)
        n = index
        local: list[float] = []
        while time.monotonic() < stop_at:
            path = paths[n % len(paths)]
            n += 1
            payload = body(n) if callable(body) else body
            started = time.perf_counter()
            try:
                connection.request(method, path, body=payload, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, timeout=10)
                status = 0
            local.append(time.perf_counter() - started)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 0 or status >= 500:
                    errors[0] += 1
        with lock:
            latencies.extend(local)

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors[0], json.dumps(statuses)


def load(host: str, paths: list[str], *, seconds: float, processes: int, threads: int, method="GET", body=None,
         headers=None) -> dict:  # fmt: skip
    """Drive ``processes × threads`` concurrent clients; return throughput and latency figures."""
    args = (host, method, paths, body, headers or {}, seconds, threads)
    started = time.perf_counter()
    with Pool(processes) as pool:
        results = pool.map(_client_worker, [args] * processes)
    elapsed = time.perf_counter() - started
    latencies = sorted(lat for result in results for lat in result[0])
    statuses: dict[str, int] = {}
    for result in results:
        for status, count in json.loads(result[2]).items():
            statuses[status] = statuses.get(status, 0) + count
    n = len(latencies)
    return {
        "requests": n,
        "errors": sum(result[1] for result in results),
        "statuses": statuses,
        "rps": n / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
        "concurrency": processes * threads,
    }


def _to_ms(text: str) -> float:
    number = float(text.rstrip("mun s"))
    if text.endswith("us"):
        return number / 1000
    if text.endswith("ms"):
        return number
    return number * 1000  # seconds


def wrk_load(host: str, paths: list[str], *, seconds: float, connections: int, threads: int = 2) -> dict:
    """The same figures as :func:`load`, measured by ``wrk`` (a C load generator: far less CPU per request
    than Python clients, so more of the 2 cores serve the app). GET only; paths are used in turn."""
    import re
    import tempfile

    lua = (
        "paths = {"
        + ",".join(json.dumps(p) for p in paths)
        + "}\n"
        + (
            "counter = 0\nrequest = function()\n  counter = counter + 1\n"
            "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency", "-s", script.name,
         f"http://{host}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = result.stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (sum(int(g) for g in errors.groups()) if errors else 0)
    return {
        "requests": total,
        "errors": failed,
        "statuses": {"non-2xx": int(bad.group(1)) if bad else 0},
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _to_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": _to_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "concurrency": connections,
    }


def report(name: str, figures: dict) -> None:
    print(
        f"{name:<28} {figures['rps']:8.1f} req/s   p50 {figures['p50_ms']:7.1f} ms   p99 {figures['p99_ms']:7.1f} ms"
        f"   {figures['requests']} requests, {figures['errors']} errors, concurrency {figures['concurrency']},"
        f" statuses {figures['statuses']}"
    )


@contextmanager
def server_output_to(log: Path):
    """Send what processes started inside write to stderr (gunicorn, and Django's WARNING line for every 4xx)
    to ``log``, so the figures are not buried; the logging itself still happens, as in production."""
    sys.stderr.flush()
    saved = os.dup(2)
    with log.open("ab") as out:
        os.dup2(out.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
