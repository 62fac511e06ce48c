"""Checkout under contention: N concurrent buyers holding tickets of ONE ticket type.

Runs the app under gunicorn against a fresh PostgreSQL database with one published show, drives
``--buyers`` concurrent clients POSTing ``/api/v1/checkout/create-session/`` (one ticket each by
default) for ``--seconds`` (wrk keeps connections open; gunicorn's sync workers close them after
each answer), and prints successful holds/s, p50/p99 latency, how many
answers were ``sold_out`` or anything else, where the CPU went per request, and — counted in the
database afterwards — how many tickets were oversold (must be 0) and whether every 201 wrote one
order and one hold. Then, with gunicorn stopped, pgbench runs the same hold transaction in SQL on
the same database with as many clients: the ceiling of the database part, next to the HTTP path.
Goal on the 2-core machine: ≥ 300 holds/s with p99 ≤ 250 ms at 64 buyers, 0 oversold.

    .venv/bin/python bench/checkout.py [--buyers 64] [--seconds 10] [--workers 3] [--threads 1] [--redis URL]
    .venv/bin/python bench/checkout.py --capacity 200        # sells out: sold_out answers, 0 oversold
    .venv/bin/python bench/checkout.py --live-holds 50000    # an on-sale minutes in: many live holds

What is measured, and what is not:

- The load generator (wrk, or Python threads if wrk is missing) runs on the same cores as gunicorn
  and PostgreSQL. The CPU line splits the CPU per request between gunicorn, the app's PostgreSQL
  backends, the load generator and everything else on the machine (other people's tests show up
  there: a run with more than a few % of "other processes" is not a clean figure).
- Buyers are a closed loop: each sends its next request when the last is answered, so the mean
  latency is buyers / throughput (64 buyers at 175 holds/s wait 365 ms on average); p99 ≤ 250 ms
  at 64 buyers needs more than 256 holds/s whatever else happens.
- Every buyer hits the same ticket type, so holds queue for that one ticket row's lock. Checkout
  writes the order, its line and its hold first and takes the capacity last, with one conditional
  UPDATE of the ticket type's held counter; the row is locked from that UPDATE to the COMMIT (and
  its WAL flush) only. pgbench runs that transaction in SQL: the ceiling of the database part.
- The show's checkout catalogue (show, fee settings, ticket types) is cached, so the request reads
  nothing before it writes; the warm-up fills each worker's cache.
- Live holds pile up (they last the show's 15 minutes); ``--live-holds`` starts the run with that
  many already taken, to show that a hold's cost doesn't grow with them.
- Oversold is ``quantity_sold + live holds − quantity`` (converted holds are already counted in
  ``quantity_sold``); nothing is paid here, so it is live holds against capacity. The held counter
  is checked against the active holds it counts.
- The requests in flight when wrk stops are answered but not counted; the database check allows
  for up to ``--buyers`` of them.

gunicorn settings tried (2 cores, 64 buyers, 10 s, Redis, paired runs on the same machine state;
this machine's speed drifts by a third over minutes, so compare within a pair), in holds/s (p99):
sync 3 workers 365 (239), 448 (175), 315 (368) against 2 workers 338 (287), 414 (213), 265 (393);
4 workers 301 (252); gthread 2×2 327 (387), 3×2 309 (608): threads of one worker queue for the GIL.
Three sync workers (the Procfile's default) are the default. Without Redis (``--redis ''``) the
catalogue is read on every request: about 210 holds/s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._server import PG, bench_env, fresh_database, gunicorn, load, manage, server_output_to

GOAL = "goal on 2 cores: ≥ 300 holds/s, p99 ≤ 250 ms at 64 buyers, 0 oversold"

SETUP = """
import datetime, decimal, json
from django.utils import timezone
from piquetickets.producers.models import Producer
from piquetickets.shows.models import Show, Ticket
from piquetickets.venues.models import Venue
producer = Producer.objects.create(name="Bench producer")
venue = Venue.objects.create(name="Bench hall", address="1 Main St", city="Chicago", producer=producer)
start = timezone.now() + datetime.timedelta(days=30)
show = Show.objects.create(title="Bench on-sale", producer=producer, venue=venue, start_time=start,
    end_time=start + datetime.timedelta(hours=2), published=True)
def ticket(name, quantity):
    return Ticket.objects.create(show=show, name=name, quantity=quantity, price=decimal.Decimal("20.00")).pk
print(json.dumps({{"show_id": show.pk, "slug": show.slug, "hold_minutes": show.hold_minutes,
    "ticket": ticket("General admission", {capacity}), "warmup_ticket": ticket("Warm-up", 2_000_000_000),
    "pgbench_ticket": ticket("pgbench", 2_000_000_000)}}))
"""

# wrk: one fixed POST; each thread counts answers by kind, done() adds the threads up.
WRK_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
local threads = {{}}
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1; table.insert(threads, thread) end
function init(args) created = 0; sold_out = 0; busy = 0; other = 0; last_other = ""; sent = 0 end
-- Every request is a different buyer behind the load balancer (NUM_PROXIES=1), as in an on-sale:
-- throttles count per address, and one address's history never grows.
function request()
  sent = sent + 1
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format()
end
function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 and body:find('"sold_out"', 1, true) then sold_out = sold_out + 1
  elseif status == 409 and body:find('"busy"', 1, true) then busy = busy + 1
  else other = other + 1; last_other = status .. " " .. body:sub(1, 200) end
end
function done(summary, latency, requests)
  local c, s, b, o, last = 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + t:get("created"); s = s + t:get("sold_out"); b = b + t:get("busy"); o = o + t:get("other")
    if t:get("last_other") ~= "" then last = t:get("last_other") end
  end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    c, s, b, o, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99),
    latency.max))
  io.write("BENCH_LAST_OTHER " .. last .. "\\n")
end
"""

# pgbench: checkout_hold's transaction in SQL: the order, its line and its hold, then the conditional
# UPDATE that takes the capacity (and the ticket type's row lock) just before the commit.
PGBENCH_SQL = """
\\set tid {ticket}
\\set qty {quantity}
BEGIN;
INSERT INTO orders_order (created_at, updated_at, uuid, public_token, status, provider, session_id,
  payment_intent_id, charge_id, first_name, last_name, email, phone, currency, subtotal,
  promo_code_discount, payment_processing_fees, platform_fees, fees_passed_to_buyer, total,
  refunded_amount, success, hold_expires_at, show_id)
VALUES (now(), now(), gen_random_uuid(), md5(random()::text) || md5(random()::text), 'pending', 'test',
  'test_' || md5(random()::text), '', '', 'A', 'B', 'a@example.com', '', 'USD', 20.00 * :qty, 0, 0.88, 1.50,
  true, 20.00 * :qty + 2.38, 0, false, now() + interval '{hold_minutes} minutes', {show_id})
  RETURNING id AS order_id \\gset
INSERT INTO orders_ticketorder (uuid, quantity, donation_amount, price_per_ticket, discount_amount,
  total_price, promo_code, is_vip, created_at, order_id, ticket_id, attendee_names)
VALUES (gen_random_uuid(), :qty, 0, 20.00, 0, 20.00 * :qty, '', false, now(), :order_id, :tid, '[]');
INSERT INTO orders_tickethold (quantity, status, expires_at, created_at, order_id, ticket_id)
VALUES (:qty, 'active', now() + interval '{hold_minutes} minutes', now(), :order_id, :tid);
WITH took AS (
  UPDATE shows_ticket SET quantity_held = quantity_held + :qty
  WHERE id = :tid AND is_active AND quantity >= quantity_sold + quantity_held + :qty RETURNING 1
) SELECT count(*) AS took FROM took \\gset
\\if :took
COMMIT;
\\else
ROLLBACK;
\\endif
"""

# Holds taken before the run (``--live-holds``): an on-sale some minutes in, every hold still live.
PRELOAD_SQL = """
WITH o AS (
  INSERT INTO orders_order (created_at, updated_at, uuid, public_token, status, provider, session_id,
    payment_intent_id, charge_id, first_name, last_name, email, phone, currency, subtotal,
    promo_code_discount, payment_processing_fees, platform_fees, fees_passed_to_buyer, total,
    refunded_amount, success, hold_expires_at, show_id)
  SELECT now(), now(), gen_random_uuid(), md5(random()::text) || md5(random()::text), 'pending', 'test',
    'test_' || md5(random()::text), '', '', 'A', 'B', 'a@example.com', '', 'USD', 20.00, 0, 0.88, 1.50, true,
    22.38, 0, false, now() + interval '{hold_minutes} minutes', {show_id}
  FROM generate_series(1, {count}) RETURNING id
), lines AS (
  INSERT INTO orders_ticketorder (uuid, quantity, donation_amount, price_per_ticket, discount_amount,
    total_price, promo_code, is_vip, created_at, order_id, ticket_id, attendee_names)
  SELECT gen_random_uuid(), 1, 0, 20.00, 0, 20.00, '', false, now(), id, {ticket}, '[]' FROM o
), holds AS (
  INSERT INTO orders_tickethold (quantity, status, expires_at, created_at, order_id, ticket_id)
  SELECT 1, 'active', now() + interval '{hold_minutes} minutes', now(), id, {ticket} FROM o
)
UPDATE shows_ticket SET quantity_held = quantity_held + {count} WHERE id = {ticket}
"""

CHECK_SQL = """
SELECT t.quantity, t.quantity_sold, t.quantity_held,
       COALESCE(SUM(h.quantity) FILTER (WHERE h.status = 'active'), 0),
       COALESCE(SUM(h.quantity) FILTER (WHERE h.status = 'active' AND h.expires_at > now()), 0),
       COALESCE(SUM(h.quantity) FILTER (WHERE h.status = 'converted'), 0),
       COUNT(h.id),
       (SELECT COUNT(DISTINCT l.order_id) FROM orders_ticketorder l WHERE l.ticket_id = t.id)
FROM shows_ticket t LEFT JOIN orders_tickethold h ON h.ticket_id = t.id
WHERE t.id = {ticket} GROUP BY t.id
"""

BACKENDS_SQL = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


def sql(database: str, query: str) -> list[str]:
    result = subprocess.run(
        ["psql", f"{PG}/{database}", "-AtF", " ", "-v", "ON_ERROR_STOP=1", "-c", query],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.split()


def ticket_state(database: str, ticket: int) -> dict:
    quantity, sold, counter, active, live, converted, holds, orders = map(
        int, sql(database, CHECK_SQL.format(ticket=ticket))
    )
    return {"quantity": quantity, "sold": sold, "live": live, "converted": converted, "holds": holds,
            "orders": orders, "oversold": max(0, sold + live - quantity), "counter_ok": counter == active}  # fmt: skip


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far, all cores together."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def gunicorn_pids(port: int) -> list[int]:
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmdline and f"127.0.0.1:{port}\0".encode() in cmdline:
            pids.append(int(proc.name))
    return pids


def backend_pids(database: str) -> list[int]:
    return [int(pid) for pid in sql(database, BACKENDS_SQL)]


def with_cpu(run, *, app: list[int], db: list[int]) -> dict:
    """Run ``run()`` and add where the CPU went, per request: gunicorn, the app's PostgreSQL
    backends, the load generator, and everything else on the machine (other people's processes,
    PostgreSQL's WAL writer)."""
    before = [sum(map(process_cpu, app)), sum(map(process_cpu, db)), children_cpu(), machine_cpu()]
    figures = run()
    after = [sum(map(process_cpu, app)), sum(map(process_cpu, db)), children_cpu(), machine_cpu()]
    app_s, db_s, client_s, busy_s = (b - a for a, b in zip(before, after, strict=True))
    per = 1000 / max(1, figures["requests"])
    figures["cpu"] = {
        "app_ms": app_s * per, "db_ms": db_s * per, "client_ms": client_s * per,
        "busy_pct": 100 * busy_s / (figures["seconds"] * os.cpu_count()),
        "other_pct": max(0.0, 100 * (busy_s - app_s - db_s - client_s) / (figures["seconds"] * os.cpu_count())),
    }  # fmt: skip
    return figures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk_holds(host: str, body: str, *, seconds: float, buyers: int, threads: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "hold.lua")
        script.write_text(WRK_LUA.format(body=json.dumps(body)))
        result = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{buyers}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
             "-s", str(script), f"http://{host}/api/v1/checkout/create-session/"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    fields = re.search(r"^BENCH ([\d. ]+)$", result.stdout, re.M).group(1).split()
    requests, duration_us, created, sold_out, busy, other, errors, p50, p99, worst = map(float, fields)
    last = re.search(r"^BENCH_LAST_OTHER (.*)$", result.stdout, re.M).group(1)
    elapsed = duration_us / 1e6
    return {
        "requests": int(requests), "created": int(created), "sold_out": int(sold_out), "busy": int(busy),
        "other": int(other), "errors": int(errors), "seconds": elapsed, "holds_per_s": created / elapsed,
        "p50_ms": p50 / 1000, "p99_ms": p99 / 1000, "max_ms": worst / 1000, "last_other": last,
    }  # fmt: skip


def python_holds(host: str, body: str, *, seconds: float, buyers: int) -> dict:
    figures = load(host, ["/api/v1/checkout/create-session/"], seconds=seconds, processes=2,
                   threads=max(1, buyers // 2), method="POST", body=body.encode(),
                   headers={"Content-Type": "application/json"})  # fmt: skip
    statuses = figures["statuses"]
    created, conflict = statuses.get("201", 0), statuses.get("409", 0)
    elapsed = figures["requests"] / figures["rps"] if figures["rps"] else seconds
    return {
        "requests": figures["requests"], "created": created, "sold_out": conflict, "busy": 0,
        "other": figures["requests"] - created - conflict - figures["errors"], "errors": figures["errors"],
        "seconds": elapsed, "holds_per_s": created / elapsed,
        "p50_ms": figures["p50_ms"], "p99_ms": figures["p99_ms"], "max_ms": None,
        "last_other": f"statuses {statuses} (409 counted as sold_out: the Python client does not read bodies)",
    }  # fmt: skip


def pgbench_holds(database: str, setup: dict, *, clients: int, seconds: float, quantity: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "hold.sql")
        script.write_text(
            PGBENCH_SQL.format(ticket=setup["pgbench_ticket"], quantity=quantity, show_id=setup["show_id"],
                               hold_minutes=setup["hold_minutes"])
        )  # fmt: skip
        before = [children_cpu(), machine_cpu()]
        result = subprocess.run(
            ["pgbench", "-n", "-M", "prepared", f"-c{clients}", f"-j{min(clients, 2)}", f"-T{max(1, round(seconds))}",
             "-f", str(script), "-l", f"--log-prefix={tmp}/log", f"{PG}/{database}"],
            capture_output=True, text=True,
        )  # fmt: skip
        client_s, busy_s = (b - a for a, b in zip(before, [children_cpu(), machine_cpu()], strict=True))
        if result.returncode != 0:
            raise RuntimeError(f"pgbench failed:\n{result.stdout}\n{result.stderr}")
        latencies = sorted(
            int(line.split()[2]) for log in Path(tmp).glob("log.*") for line in log.read_text().splitlines()
        )
    out = result.stdout
    n = len(latencies)
    return {
        "transactions": int(re.search(r"number of transactions actually processed: (\d+)", out).group(1)),
        "failed": int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", out)) else 0,
        "tps": float(re.search(r"tps = ([\d.]+)", out).group(1)),
        "p50_ms": statistics.median(latencies) / 1000 if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] / 1000 if n else 0.0,
        "busy_pct": 100 * busy_s / (seconds * os.cpu_count()),
        "client_pct": 100 * client_s / (seconds * os.cpu_count()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=64, help="concurrent keep-alive buyers (and pgbench clients)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quantity", type=int, default=1, help="tickets per hold")
    parser.add_argument("--capacity", type=int, default=100_000, help="tickets of the ticket type on sale")
    parser.add_argument(
        "--live-holds", type=int, default=0, help="live 1-ticket holds taken on each ticket type before the run"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (> 1: gthread)")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for the app")
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0"),
        help="REDIS_URL for the app, as in production (cache, throttles, the checkout catalogue); '' for none",
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--no-pgbench", action="store_true", help="skip the pgbench run")
    args = parser.parse_args()
    port = args.port or free_port()

    with tempfile.TemporaryDirectory() as tmp, fresh_database(f"pique_bench_checkout_{os.getpid()}") as database:
        server_log = Path(tmp, "gunicorn.log")
        env = bench_env(database, DATABASE_CONN_MAX_AGE=str(args.conn_max_age), REDIS_URL=args.redis,
                        CACHE_KEY_PREFIX=database, NUM_PROXIES="1")  # fmt: skip
        manage(env, "migrate", "--noinput")
        setup = json.loads(manage(env, "shell", "--no-imports", "-c", SETUP.format(capacity=args.capacity)))
        if args.live_holds:
            for ticket in (setup["ticket"], setup["pgbench_ticket"]):
                sql(database, PRELOAD_SQL.format(count=args.live_holds, ticket=ticket, show_id=setup["show_id"],
                                                 hold_minutes=setup["hold_minutes"]))  # fmt: skip
            sql(database, "VACUUM ANALYZE orders_order, orders_ticketorder, orders_tickethold")
        use_wrk = shutil.which("wrk") and not args.python_client
        print(
            f"database: PostgreSQL; show {setup['slug']!r}, ticket type {setup['ticket']} with {args.capacity} tickets;"
            f" gunicorn {args.workers} workers × {args.threads} threads, DATABASE_CONN_MAX_AGE={args.conn_max_age},"
            f" {'Redis' if args.redis else 'no Redis (the catalogue is read every time)'};"
            f" {args.buyers} buyers × {args.quantity} ticket(s), {args.seconds:.0f} s;"
            f" {args.live_holds} live holds taken before the run"
        )
        print(
            f"load generator: {'wrk (2 threads)' if use_wrk else 'Python threads in 2 processes'}, on the same "
            f"{os.cpu_count()} cores as gunicorn and PostgreSQL"
        )

        def body(ticket: int) -> str:
            return json.dumps({"show": setup["slug"], "tickets": [{"ticket": ticket, "quantity": args.quantity}],
                               "first_name": "A", "last_name": "B", "email": "a@example.com"})  # fmt: skip

        def run(ticket: int, seconds: float) -> dict:
            if use_wrk:
                return wrk_holds(host, body(ticket), seconds=seconds, buyers=args.buyers, threads=2)
            return python_holds(host, body(ticket), seconds=seconds, buyers=args.buyers)

        with server_output_to(server_log), gunicorn(env, port=port, workers=args.workers, threads=args.threads) as host:
            run(setup["warmup_ticket"], 2)  # every worker imports, connects and fills its caches; own ticket type
            app, db = gunicorn_pids(port), backend_pids(database)
            http = with_cpu(lambda: run(setup["ticket"], args.seconds), app=app, db=db)
        state = ticket_state(database, setup["ticket"])
        pg = None if args.no_pgbench else pgbench_holds(database, setup, clients=args.buyers, seconds=args.seconds,
                                                        quantity=args.quantity)  # fmt: skip
        pg_state = None if pg is None else ticket_state(database, setup["pgbench_ticket"])
        server_errors = [line for line in server_log.read_text(errors="replace").splitlines() if "ERROR" in line]

    cpu = http["cpu"]
    worst = "" if http["max_ms"] is None else f"   max {http['max_ms']:.0f} ms"
    orders, holds = state["orders"] - args.live_holds, state["holds"] - args.live_holds  # written during the run
    late = orders - http["created"]  # answered after the load generator stopped counting
    consistent = orders == holds and 0 <= late <= args.buyers
    print()
    print(
        f"HTTP holds     {http['holds_per_s']:8.1f} holds/s   p50 {http['p50_ms']:7.1f} ms"
        f"   p99 {http['p99_ms']:7.1f} ms{worst}   ({http['requests']} requests in"
        f" {http['seconds']:.1f} s: {http['created']} held, {http['sold_out']} sold_out, {http['busy']} busy,"
        f" {http['other']} other, {http['errors']} socket errors/timeouts)"
    )
    if http["other"]:
        print(f"               last other answer: {http['last_other']}")
    print(
        f"CPU / request  gunicorn {cpu['app_ms']:.1f} ms + PostgreSQL {cpu['db_ms']:.1f} ms + load generator"
        f" {cpu['client_ms']:.1f} ms; machine {cpu['busy_pct']:.0f}% busy (other processes {cpu['other_pct']:.0f}%)"
    )
    if args.conn_max_age:
        ceiling = 1000 * os.cpu_count() / max(0.1, cpu["app_ms"] + cpu["db_ms"])
        print(f"               → at that cost {os.cpu_count()} idle cores serve at most ≈ {ceiling:.0f} requests/s")
    else:
        print("               (DATABASE_CONN_MAX_AGE=0: each request has its own backend, under other processes)")
    if server_errors:
        print(f"               gunicorn logged {len(server_errors)} errors, the first: {server_errors[0]}")
    print(
        f"database       oversold {state['oversold']}   ({state['live']} live held + {state['sold']} sold of"
        f" {state['quantity']}; {orders} orders and {holds} holds written = {http['created']} × 201"
        f" + {late} answered after the load generator stopped{'' if consistent else ' — MISMATCH'};"
        f" held counter {'matches the active holds' if state['counter_ok'] else 'DIFFERS from the active holds'})"
    )
    if pg is not None:
        print(
            f"pgbench        {pg['tps']:8.1f} holds/s   p50 {pg['p50_ms']:7.1f} ms   p99 {pg['p99_ms']:7.1f} ms"
            f"   ({pg['transactions']} transactions, {pg['failed']} failed, {args.buyers} clients;"
            f" {pg_state['holds'] - args.live_holds} holds written, oversold {pg_state['oversold']};"
            f" machine {pg['busy_pct']:.0f}% busy,"
            f" pgbench itself {pg['client_pct']:.0f}%)"
        )
    print(GOAL)


if __name__ == "__main__":
    main()
