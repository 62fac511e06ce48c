"""Door check-in under gunicorn on PostgreSQL: two devices racing to scan the same tickets.

Runs the app under gunicorn against a fresh PostgreSQL database holding one published show with
``--attendees`` valid tickets and two door links ("Device A", "Device B"), POSTs
``/api/v1/checkin/?token=…`` ``{"attendee_uuid": …}`` and prints answered scans/s (both devices
together), p50/p99 latency, how many scans were admitted (200 ``checked_in``), refused as
``already_checked_in`` (409) or answered anything else, and the CPU each scan cost; then, counted in
the database, the double admits (tickets with more than one ``checked_in`` scan: must be 0).
Goal on the 2-core machine: ≥ 200 scans/s with p99 ≤ 100 ms, 0 double admits.

    .venv/bin/python bench/checkin.py [--seconds 10] [--connections 32] [--door-connections 4]
                                      [--workers 3] [--threads 1] [--attendees 20000]

Two timed runs on fresh tickets: "saturating" (``--connections``, 16 per device: as many scans as the
box can answer; with every connection always waiting, mean latency is connections / throughput) and
"door pace" (``--door-connections``, 2 per device: each device waits for an answer before its next
scan, as a phone or scanner at a door does — the latency a door sees).

How the race is made: wrk (one thread) walks the list of ticket UUIDs and sends every ticket twice in
a row, with device A's token and then device B's, so the two scans of a ticket leave back to back on
two connections and are in the server together (at any moment about half the connections carry each
device's scans). The database check reports how far apart the two scans of each ticket started.

What is measured, and what is not:

- wrk runs on the same 2 cores as gunicorn and PostgreSQL (a C client: ~0.15 ms of CPU per scan),
  so the figures are those of one small box doing everything. Anything else running on the box takes
  cores from the app: each run prints the CPU per scan of gunicorn, of the app's PostgreSQL backends
  and of wrk, and how much of the machine other work took meanwhile, so a noisy run can be told apart.
- Latency is wrk's: from writing a request to reading its whole answer, queueing in gunicorn
  included. gunicorn's sync workers close the connection after each answer; wrk reconnects.
- ``THROTTLE_CHECKIN`` (the per-door-link budget) and ``THROTTLE_CHECKIN_BAD_TOKENS`` are set out of
  reach; the throttle still runs (on each worker's local-memory cache unless ``REDIS_URL`` is set).
- Django logs every 409 as a warning, as in production; the server's output goes to a temporary
  file, whose error lines are printed if any answer was unexpected.
- A warm-up run (2 s, its own tickets at the end of the list) lets every worker import, connect and
  fill its caches first; its scans are in the database counts, not in the timed figures.

gunicorn settings tried on the 2-core machine (32 and 4 connections, 10 s, DATABASE_CONN_MAX_AGE=60,
nothing else busy; scans/s vary ±10 % from run to run, as does the CPU per scan):

- sync, 2 workers: 179–195 scans/s saturating (p99 ~255 ms), 167–188 at door pace with p99 81–94 ms
  (4 connections queue for 2 workers); machine only ~1.85 of 2 cores busy.
- sync, 3 workers (the default): 145–177 saturating (p99 ~250–285 ms), 148–195 at door pace with
  p99 37–60 ms.
- sync, 4 and 5 workers: 155–171 and 157–162. gunicorn's CPU per scan grows with its processes:
  5.4–6.5 ms with 2, 5.6–7.9 with 3, 6.9–7.9 with 4–5, up to 9 with 8.
- gthread 2 × 4: 138–142, only ~1.5 of 2 cores busy (two processes, each held by its GIL).
- Measured while other work took up to 1 core, so only roughly: sync 6 and 8 workers no better;
  gthread 3 × 2 and 3 × 4 no more scans and a long tail (p99 up to 890 ms: threads accept connections
  a busy process serves late, and the two scans of a ticket can start 800 ms apart).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._server import PG, bench_env, fresh_database, gunicorn, manage, server_output_to

GOAL = "goal on 2 cores: ≥ 200 scans/s, p99 ≤ 100 ms, 0 double admits"
WARMUP_SECONDS = 2
WARMUP_TICKETS = 2_000  # the last ones of the list; the timed runs start at the first

SETUP = """
import datetime, decimal, json
from django.utils import timezone
from piquetickets.checkin.services import checkin_session_create
from piquetickets.orders.models import Order, TicketAttendee, TicketOrder
from piquetickets.producers.models import Producer
from piquetickets.shows.models import Show, Ticket
from piquetickets.venues.models import Venue
per_order, attendees = 4, {attendees}
producer = Producer.objects.create(name="Bench producer")
venue = Venue.objects.create(name="Bench hall", address="1 Main St", city="Chicago", producer=producer)
start = timezone.now() + datetime.timedelta(hours=1)
show = Show.objects.create(title="Bench door night", producer=producer, venue=venue, start_time=start,
    end_time=start + datetime.timedelta(hours=2), published=True)
price = decimal.Decimal("20.00")
ticket = Ticket.objects.create(show=show, name="General admission", quantity=attendees, price=price)
now = timezone.now()
orders = Order.objects.bulk_create(
    Order(show=show, provider="test", status="paid", success=True, time_of_purchase=now, first_name="Bench",
          last_name=f"Buyer {{i}}", email=f"buyer{{i}}@example.com", subtotal=price * per_order,
          total=price * per_order, ticket_count=per_order)
    for i in range(-(-attendees // per_order))
)
lines = TicketOrder.objects.bulk_create(
    TicketOrder(order=order, ticket=ticket, quantity=per_order, price_per_ticket=price, total_price=price * per_order)
    for order in orders
)
TicketAttendee.objects.bulk_create(
    (TicketAttendee(show=show, ticket_order=lines[i // per_order], first_name="Guest", last_name=f"Number {{i}}",
                    email=f"buyer{{i // per_order}}@example.com") for i in range(attendees)),
    batch_size=2000,
)
Ticket.objects.filter(pk=ticket.pk).update(quantity_sold=attendees)
uuids = [str(u) for u in TicketAttendee.objects.filter(show=show).order_by("pk").values_list("uuid", flat=True)]
with open({uuid_file!r}, "w") as out:
    out.write("\\n".join(uuids) + "\\n")
devices = [checkin_session_create(show=show, label=label) for label in ("Device A", "Device B")]
print(json.dumps({{"show": show.slug, "orders": Order.objects.count(), "lines": TicketOrder.objects.count(),
    "attendees": TicketAttendee.objects.count(), "tokens": [d.token for d in devices],
    "expires_at": devices[0].expires_at.isoformat()}}))
"""

# wrk: request n scans ticket n // 2 with device n % 2's token (A, B, A, B, ...); the thread counts the
# answers by kind, done() prints them with wrk's latency percentiles on one line.
WRK_LUA = """
local uuids = {{}}
for line in io.lines({uuid_file}) do uuids[#uuids + 1] = line end
local tokens = {{{token_a}, {token_b}}}
local headers = {{["Content-Type"] = "application/json"}}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args)
  offset = tonumber(args[1]) or 0
  n = 0; admitted = 0; already = 0; won_a = 0; won_b = 0; other = 0; last_other = ""
end
function request()
  local ticket = uuids[((offset + math.floor(n / 2)) % #uuids) + 1]
  local token = tokens[(n % 2) + 1]
  n = n + 1
  return wrk.format("POST", "/api/v1/checkin/?token=" .. token, headers, '{{"attendee_uuid":"' .. ticket .. '"}}')
end
function response(status, headers, body)
  if status == 200 and body:find('"code":"checked_in"', 1, true) then
    admitted = admitted + 1
    if body:find('"checked_in_by":"Device A"', 1, true) then won_a = won_a + 1 else won_b = won_b + 1 end
  elseif status == 409 and body:find('"code":"already_checked_in"', 1, true) then already = already + 1
  else other = other + 1; last_other = status .. " " .. body:sub(1, 200) end
end
function done(summary, latency, requests)
  local a, r, wa, wb, o, sent, last = 0, 0, 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    a = a + t:get("admitted"); r = r + t:get("already"); wa = wa + t:get("won_a"); wb = wb + t:get("won_b")
    o = o + t:get("other"); sent = sent + t:get("n")
    if t:get("last_other") ~= "" then last = t:get("last_other") end
  end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    a, r, wa, wb, o, e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50),
    latency:percentile(99), latency.max, sent))
  io.write("BENCH_LAST_OTHER " .. last .. "\\n")
end
"""

CHECK_SQL = """
SELECT
  (SELECT COUNT(*) FROM (SELECT attendee_id FROM checkin_checkinscan WHERE result = 'checked_in'
     GROUP BY attendee_id HAVING COUNT(*) > 1) doubles),
  (SELECT COUNT(*) FROM checkin_checkinscan WHERE result = 'checked_in'),
  (SELECT COUNT(*) FROM orders_ticketattendee WHERE is_checked_in),
  (SELECT COUNT(*) FROM checkin_checkinscan WHERE result = 'already_checked_in'),
  (SELECT COUNT(*) FROM checkin_checkinscan),
  (SELECT COUNT(*) FROM (SELECT attendee_id FROM checkin_checkinscan GROUP BY attendee_id
     HAVING COUNT(DISTINCT session_id) = 2 AND COUNT(*) FILTER (WHERE result = 'checked_in') <> 1) unadmitted)
"""

# How far apart the two devices' scans of one ticket started (created_at is taken as the scan starts).
RACE_SQL = """
SELECT COUNT(*),
  COALESCE(ROUND(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap)::numeric, 1), 0),
  COALESCE(ROUND(PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY gap)::numeric, 1), 0),
  COUNT(*) FILTER (WHERE gap < 10)
FROM (SELECT EXTRACT(EPOCH FROM MAX(created_at) - MIN(created_at)) * 1000 AS gap
      FROM checkin_checkinscan GROUP BY attendee_id HAVING COUNT(DISTINCT session_id) = 2) pairs
"""


BACKENDS_SQL = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sql(database: str, query: str) -> list[str]:
    result = subprocess.run(
        ["psql", f"{PG}/{database}", "-AtF", " ", "-v", "ON_ERROR_STOP=1", "-c", query],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.split()


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by the processes ``pids`` that are still alive."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (all cores; idle and iowait excluded)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parent_pid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def gunicorn_pids(port: int) -> list[int]:
    marker = f"127.0.0.1:{port}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def wrk_scans(host: str, script: Path, *, offset: int, seconds: float, connections: int) -> dict:
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(script),
         f"http://{host}/api/v1/checkin/", "--", str(offset)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"^BENCH ([\d. ]+)$", result.stdout, re.M)
    if match is None:
        raise RuntimeError(f"wrk printed no figures:\n{result.stdout}\n{result.stderr}")
    fields = [int(float(f)) for f in match.group(1).split()]
    requests, duration_us, admitted, already, won_a, won_b, other, errors, _, p50, p99, worst, sent = fields
    elapsed = duration_us / 1e6
    return {
        "requests": requests, "seconds": elapsed, "admitted": admitted, "already": already, "won_a": won_a,
        "won_b": won_b, "other": other, "errors": errors, "scans_per_s": requests / elapsed, "p50_ms": p50 / 1000,
        "p99_ms": p99 / 1000, "max_ms": worst / 1000, "tickets": (sent + 1) // 2,
        "last_other": re.search(r"^BENCH_LAST_OTHER (.*)$", result.stdout, re.M).group(1),
    }  # fmt: skip


def measured(host: str, script: Path, *, database: str, port: int, offset: int, seconds: float,
             connections: int) -> dict:  # fmt: skip
    """One timed wrk run, with where the CPU went meanwhile: this benchmark's processes against the machine."""
    backends = [int(pid) for pid in sql(database, BACKENDS_SQL)]
    servers = gunicorn_pids(port)
    before = (process_cpu(servers), process_cpu(backends), children_cpu(), machine_cpu())
    figures = wrk_scans(host, script, offset=offset, seconds=seconds, connections=connections)
    after = (process_cpu(servers), process_cpu(backends), children_cpu(), machine_cpu())
    app, pg, wrk, busy = (b - a for a, b in zip(before, after, strict=True))
    return figures | {"connections": connections, "app_cpu": app, "pg_cpu": pg, "wrk_cpu": wrk, "busy_cpu": busy}


def print_run(name: str, run: dict) -> None:
    scans, seconds = max(1, run["requests"]), run["seconds"]
    others = max(0.0, run["busy_cpu"] - run["app_cpu"] - run["pg_cpu"] - run["wrk_cpu"])
    print(
        f"{name} — {run['connections']} connections ({run['connections'] // 2} per device):\n"
        f"  scans     {run['scans_per_s']:8.1f} scans/s   p50 {run['p50_ms']:7.1f} ms   p99 {run['p99_ms']:7.1f} ms"
        f"   max {run['max_ms']:.0f} ms   ({run['requests']} answered in {seconds:.1f} s, both devices)\n"
        f"  answers   {run['admitted']} checked_in (Device A {run['won_a']}, Device B {run['won_b']}),"
        f" {run['already']} already_checked_in, {run['other']} other, {run['errors']} socket errors/timeouts;"
        f" {run['tickets']} tickets scanned\n"
        f"  CPU/scan  gunicorn {run['app_cpu'] / scans * 1000:.2f} ms, PostgreSQL backends"
        f" {run['pg_cpu'] / scans * 1000:.2f} ms, wrk {run['wrk_cpu'] / scans * 1000:.2f} ms; the machine was"
        f" {run['busy_cpu'] / seconds:.2f} of {os.cpu_count()} cores busy, {others / seconds:.2f} of them with"
        f" other work (other processes, PostgreSQL's own, the kernel)"
    )
    own = (run["app_cpu"] + run["pg_cpu"] + run["wrk_cpu"]) / scans
    print(f"  ceiling   {os.cpu_count() / own:8.1f} scans/s if gunicorn, its PostgreSQL backends and wrk had all cores")
    if run["other"]:
        print(f"  last other answer: {run['last_other']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed run")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections of the saturating run")
    parser.add_argument("--door-connections", type=int, default=4, help="connections of the door-pace run (0: skip)")
    parser.add_argument("--attendees", type=int, default=20_000, help="valid tickets of the show")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for the app")
    parser.add_argument("--throttle", default="1000000/s", help="THROTTLE_CHECKIN for the app")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    args = parser.parse_args()
    if args.attendees <= WARMUP_TICKETS:
        parser.error(f"--attendees must be more than the {WARMUP_TICKETS} warm-up tickets")
    if args.connections < 2 or args.door_connections == 1:
        parser.error("each run needs at least 2 connections, one per device")
    args.port = args.port or free_port()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk): a Python client would take the cores the server needs")

    with tempfile.TemporaryDirectory() as tmp, fresh_database(f"pique_bench_checkin_{os.getpid()}") as database:
        uuid_file = Path(tmp, "uuids.txt")
        env = bench_env(
            database, DATABASE_CONN_MAX_AGE=str(args.conn_max_age), THROTTLE_CHECKIN=args.throttle,
            THROTTLE_CHECKIN_BAD_TOKENS="1000000/s",
        )  # fmt: skip
        manage(env, "migrate", "--noinput")
        setup = json.loads(
            manage(env, "shell", "--no-imports", "-c", SETUP.format(attendees=args.attendees, uuid_file=str(uuid_file)))
        )
        script = Path(tmp, "scan.lua")
        token_a, token_b = (json.dumps(token) for token in setup["tokens"])
        script.write_text(WRK_LUA.format(uuid_file=json.dumps(str(uuid_file)), token_a=token_a, token_b=token_b))
        print(
            f"database: PostgreSQL; show {setup['show']!r} with {setup['attendees']} attendees in {setup['orders']}"
            f" orders ({setup['lines']} lines); door links Device A and Device B until {setup['expires_at']}"
        )
        print(
            f"gunicorn {args.workers} workers × {args.threads} threads, DATABASE_CONN_MAX_AGE={args.conn_max_age},"
            f" THROTTLE_CHECKIN={args.throttle}; {args.seconds:.0f} s per run"
        )
        print(
            f"load generator: wrk (1 thread; each ticket scanned by A then B at once), on the same {os.cpu_count()}"
            f" cores as gunicorn and PostgreSQL; load average before: {os.getloadavg()[0]:.2f}"
        )
        server_log = Path(tmp, "server.log")
        runs: list[tuple[str, dict]] = []
        try:
            with server_output_to(server_log), gunicorn(env, port=args.port, workers=args.workers,
                                                         threads=args.threads) as host:  # fmt: skip
                if not any(parent_pid(pid) == os.getpid() for pid in gunicorn_pids(args.port)):
                    raise RuntimeError(f"port {args.port} is answered by a server this benchmark did not start")
                warm = wrk_scans(host, script, offset=args.attendees - WARMUP_TICKETS, seconds=WARMUP_SECONDS,
                                 connections=args.connections)  # fmt: skip

                def timed(offset: int, connections: int) -> dict:
                    return measured(host, script, database=database, port=args.port, offset=offset,
                                    seconds=args.seconds, connections=connections)  # fmt: skip

                runs.append(("saturating", timed(0, args.connections)))
                if args.door_connections:
                    # fresh tickets, past those the first run still had in flight when it stopped
                    runs.append(("door pace", timed(runs[0][1]["tickets"] + 100, args.door_connections)))
        except BaseException:
            print("server output, last lines:\n" + "\n".join(server_log.read_text().splitlines()[-30:]))
            raise
        if any(run["other"] or run["errors"] for run in [warm] + [run for _, run in runs]):
            errors = [line for line in server_log.read_text().splitlines() if " ERROR " in line or "Traceback" in line]
            print(f"server output: {len(errors)} error lines" + "".join(f"\n  {line}" for line in errors[-10:]))
        doubles, admit_scans, admitted, refused_scans, all_scans, unadmitted = map(int, sql(database, CHECK_SQL))
        pairs, gap_p50, gap_p99, close_pairs = sql(database, RACE_SQL)

    print()
    for name, run in runs:
        print_run(name, run)
    if sum(run["tickets"] + 100 for _, run in runs) + WARMUP_TICKETS > args.attendees:
        print("  (the runs went round the ticket list: raise --attendees for fresh tickets throughout)")
    # wrk stops counting at the deadline: scans still in flight then (up to one per connection, per run) are
    # answered and logged by the server but not counted by wrk.
    http_admitted = warm["admitted"] + sum(run["admitted"] for _, run in runs)
    in_flight = args.connections * 2 + args.door_connections
    consistent = admit_scans == admitted and http_admitted <= admit_scans <= http_admitted + in_flight
    print(
        f"database: double admits {doubles}   ({admit_scans} checked_in scans logged = {admitted} attendees checked in"
        f"{'' if consistent else ' — MISMATCH'}; wrk counted {http_admitted} admits incl. {warm['admitted']} in the"
        f" warm-up, the rest were in flight when it stopped; {refused_scans} already_checked_in of {all_scans} scans"
        f" logged; tickets scanned by both devices without exactly one admit: {unadmitted})"
    )
    print(
        f"race: {pairs} tickets scanned by both devices; gap between the two scans of a ticket p50 {gap_p50} ms,"
        f" p99 {gap_p99} ms; {close_pairs} within 10 ms"
    )
    print(
        f"{GOAL}. With every connection always busy, mean latency = connections / throughput (Little's law):"
        f" p99 ≤ 100 ms at {args.connections} connections needs well over {args.connections * 10} scans/s."
    )


if __name__ == "__main__":
    main()
