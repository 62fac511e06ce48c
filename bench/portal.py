"""The producer portal under gunicorn on PostgreSQL: the dashboard, the orders list of a show with 10,000
orders, and the CSV exports.

Fills a fresh PostgreSQL database with one producer whose show has ``--orders`` paid orders (bulk
created: one line and one to three tickets each, names from a small list so searches find many), signs
the producer's owner in (a session row; the cookie is sent by the load generator), then prints:

- req/s and p50/p99 latency of the dashboard, the orders list (pages 1, 2 and the last; a show filter;
  a name search; a reference search) and the attendees list, driven by wrk (``--connections`` keep-alive
  connections) — or Python threads without wrk;
- for each CSV export (every order; every attendee), streamed by one request: rows, seconds, rows/s,
  rows per CPU-second of the worker that served it (a figure other work on the box can't spoil), and
  that worker's peak resident memory (``VmHWM`` from ``/proc/<pid>/status``) before and
  after the download: every order, a search (a tenth of them), every ticket, and every order again, so
  "constant memory" is a measured difference, not a claim.

Goals on the 2-core machine: orders list p99 ≤ 150 ms at 10,000 orders; export ≥ 20,000 rows/s in
constant memory.

    .venv/bin/python bench/portal.py [--orders 10000] [--seconds 10] [--workers 2] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._server import PG, PYTHON, ROOT, _to_ms, bench_env, fresh_database, load, manage, report

FILL = """
import datetime, decimal, random, uuid
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from piquetickets.orders.models import Order, TicketAttendee, TicketOrder
from piquetickets.producers.models import Producer, UserProducerAssociation
from piquetickets.shows.models import Show, Ticket
from piquetickets.venues.models import Venue

random.seed(12)
now = timezone.now()
producer = Producer.objects.create(name="Bench Laughs")
user = get_user_model().objects.create_user("bench-owner", "owner@example.com", "bench-password-123")
UserProducerAssociation.objects.create(user=user, producer=producer, role="owner")
venue = Venue.objects.create(producer=producer, name="The Cellar", address="1 Main St", city="Chicago", state="IL")
shows = []
for i in range(4):
    start = now + datetime.timedelta(days=3 + 7 * i)
    shows.append(Show.objects.create(title=f"Bench night {{i}}", producer=producer, venue=venue, start_time=start,
        end_time=start + datetime.timedelta(hours=2), published=True, time_zone="America/Chicago"))
big = shows[0]
general = Ticket.objects.create(show=big, name="General admission", quantity=40000, price=decimal.Decimal("20.00"))
vip = Ticket.objects.create(show=big, name="VIP", quantity=10000, price=decimal.Decimal("45.00"))
firsts = ["Ada", "Grace", "Alan", "Zoë", "Kai", "Mina", "Omar", "Lena", "Ravi", "Sofia", "Jun", "Ana"]
lasts = ["Lovelace", "Hopper", "Turing", "Åberg", "Nakamura", "Okafor", "Haddad", "Schmidt", "Patel", "Rossi"]
orders, lines, attendees = [], [], []
count = {orders}
for n in range(count):
    first, last = random.choice(firsts), random.choice(lasts) + ("" if n % 3 else f"-{{n}}")
    ticket = vip if n % 10 == 0 else general
    quantity = 1 + n % 3
    total = ticket.price * quantity
    when = now - datetime.timedelta(minutes=n)
    orders.append(Order(show=big, status="paid", provider="test", first_name=first, last_name=last,
        email=f"{{first.lower()}}.{{n}}@example.com", subtotal=total, total=total, ticket_count=quantity, success=True,
        time_of_purchase=when, created_at=when, updated_at=when))
Order.objects.bulk_create(orders, batch_size=2000)
for n, order in enumerate(orders):
    ticket = vip if n % 10 == 0 else general
    quantity = 1 + n % 3
    lines.append(TicketOrder(order=order, ticket=ticket, quantity=quantity, price_per_ticket=ticket.price,
        total_price=ticket.price * quantity))
TicketOrder.objects.bulk_create(lines, batch_size=2000)
for line in lines:
    for k in range(line.quantity):
        attendees.append(TicketAttendee(show=big, ticket_order=line, first_name=line.order.first_name,
            last_name=line.order.last_name, email=line.order.email))
TicketAttendee.objects.bulk_create(attendees, batch_size=2000)
Ticket.objects.filter(pk=general.pk).update(quantity_sold=sum(l.quantity for l in lines if l.ticket_id == general.pk))
Ticket.objects.filter(pk=vip.pk).update(quantity_sold=sum(l.quantity for l in lines if l.ticket_id == vip.pk))
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(session.session_key, big.slug, str(orders[1234 % count].uuid)[:8], len(attendees))
"""


def psql_database(database: str, sql: str) -> None:
    subprocess.run(["psql", f"{PG}/{database}", "-qc", sql], check=True, capture_output=True)


@contextmanager
def gunicorn_with_pid(env: dict, *, port: int, workers: int, threads: int):
    """gunicorn as in ``bench/_server.py``, also giving its master process (to read the workers' memory)."""
    cmd = [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads), "--log-level", "warning", "--keep-alive", "30"]  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (``/proc/<pid>/stat``), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kb(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"{key}:\s+(\d+) kB", status).group(1)) for key in ("VmRSS", "VmHWM")}


def wrk_get(host: str, paths: list[str], *, cookie: str, seconds: float, connections: int) -> dict:
    """wrk with the session cookie (``bench/_server.py``'s ``wrk_load`` sends no headers)."""
    import json

    lua = (
        "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        f'wrk.headers["Cookie"] = "sessionid={cookie}"\n'
        "counter = 0\nrequest = function()\n  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency", "-s", script.name,
         f"http://{host}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(bad.group(1)) if bad else 0,
        "statuses": {"non-2xx": int(bad.group(1)) if bad else 0},
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _to_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": _to_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "concurrency": connections,
    }


def export(host: str, path: str, *, cookie: str, master: int) -> None:
    """Download one CSV export, counting rows as they arrive; the serving worker's memory before and after."""
    before = {pid: memory_kb(pid) for pid in workers_of(master)}
    cpu_before = {pid: cpu_seconds(pid) for pid in before}
    request = urllib.request.Request(f"http://{host}{path}", headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    rows = size = 0
    first_byte = None
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 (http://127.0.0.1 only)
        assert response.status == 200, response.status
        while chunk := response.read(65536):
            first_byte = first_byte or time.perf_counter() - started
            rows += chunk.count(b"\n")
            size += len(chunk)
    elapsed = time.perf_counter() - started
    after = {pid: memory_kb(pid) for pid in workers_of(master)}
    used = {pid: cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in after}
    served = max(used, key=used.get)  # the worker that did the work
    rows -= 1  # the header
    print(
        f"{'export ' + path:<44} {rows:6d} rows in {elapsed:5.2f} s = {rows / elapsed:7.0f} rows/s "
        f"({rows / max(used[served], 0.001):7.0f} per worker CPU-second), {size / 1e6:4.1f} MB, "
        f"first byte {first_byte * 1000:4.0f} ms; peak RSS "
        f"{before[served]['VmHWM'] / 1024:6.1f} → {after[served]['VmHWM'] / 1024:6.1f} MB "
        f"(+{(after[served]['VmHWM'] - before[served]['VmHWM']) / 1024:.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--port", type=int, default=8823)
    args = parser.parse_args()

    with fresh_database(f"pique_bench_portal_{os.getpid()}") as database, tempfile.TemporaryDirectory() as tmp:
        env = bench_env(database, STATIC_ROOT=os.path.join(tmp, "static"), MEDIA_ROOT=os.path.join(tmp, "media"))
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        started = time.perf_counter()
        cookie, slug, reference, attendees = (
            manage(env, "shell", "--no-imports", "-c", FILL.format(orders=args.orders)).strip().split()
        )
        psql_database(database, "VACUUM ANALYZE")  # as autovacuum would, soon after a bulk load
        print(
            f"database: PostgreSQL, one show with {args.orders} paid orders and {attendees} tickets "
            f"(filled in {time.perf_counter() - started:.0f} s); gunicorn {args.workers} workers × {args.threads} "
            f"threads; {args.connections} connections; {args.seconds:.0f} s per run"
        )
        with gunicorn_with_pid(env, port=args.port, workers=args.workers, threads=args.threads) as (host, master):
            if shutil.which("wrk"):
                print("load generator: wrk")

                def run(paths):
                    return wrk_get(host, paths, cookie=cookie, seconds=args.seconds, connections=args.connections)
            else:
                print("load generator: Python threads (install wrk for a lighter client)")

                def run(paths):
                    headers = {"Cookie": f"sessionid={cookie}"}
                    return load(host, paths, seconds=args.seconds, processes=2, threads=args.connections // 2,
                                headers=headers)  # fmt: skip

            check = http.client.HTTPConnection(host, timeout=30)
            check.request("GET", "/dashboard/orders/", headers={"Cookie": f"sessionid={cookie}"})
            answer = check.getresponse()
            assert answer.status == 200, f"signed-in orders list answered {answer.status}: another server on the port?"
            answer.read()
            check.close()

            def measured(name, paths):
                """report() with the gunicorn workers' CPU per request (what other work on the box can't spoil)."""
                before = {pid: cpu_seconds(pid) for pid in workers_of(master)}
                figures = run(paths)
                cpu = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in workers_of(master))
                report(name, figures)
                print(f"{'':<28} app CPU {1000 * cpu / max(figures['requests'], 1):6.1f} ms per request")

            last = (args.orders + 24) // 25
            wrk_get(host, ["/dashboard/", "/dashboard/orders/"], cookie=cookie, seconds=2, connections=2)  # warm-up
            measured("dashboard", ["/dashboard/"])
            measured("orders list, page 1", ["/dashboard/orders/"])
            measured("orders list, pages 2 & last", ["/dashboard/orders/?page=2", f"/dashboard/orders/?page={last}"])
            measured("orders list, show filter", [f"/dashboard/orders/?show={slug}"])
            measured("orders list, name search", ["/dashboard/orders/?q=lovelace", "/dashboard/orders/?q=zo%C3%AB"])
            measured("orders list, reference", [f"/dashboard/orders/?q={reference}"])
            measured("attendees list, show", [f"/dashboard/orders/attendees/?show={slug}"])
            export(host, "/dashboard/orders/export/", cookie=cookie, master=master)
            export(host, "/dashboard/orders/export/?q=lovelace", cookie=cookie, master=master)
            export(host, "/dashboard/orders/attendees/export/", cookie=cookie, master=master)
            export(host, "/dashboard/orders/export/", cookie=cookie, master=master)


if __name__ == "__main__":
    main()
