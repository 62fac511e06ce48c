"""Read throughput of the public catalog API: show list and show detail, uncached.

Runs the app under gunicorn against a fresh PostgreSQL database filled with the demo data plus
extra published shows, drives concurrent keep-alive clients from this machine, and prints
requests/s with p50/p99 latency. Goal on the 2-core machine: ≥ 200 req/s for show detail.

    .venv/bin/python bench/api_read.py [--seconds 10] [--workers 3] [--clients 16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._server import bench_env, fresh_database, gunicorn, load, manage, report, wrk_load

EXTRA_SHOWS = """
import datetime, decimal
from django.utils import timezone
from piquetickets.producers.models import Producer
from piquetickets.performers.models import Performer
from piquetickets.shows.models import Show, Ticket
from piquetickets.venues.models import Venue
producers, venues, performers = list(Producer.objects.all()), list(Venue.objects.all()), list(Performer.objects.all())
for i in range({count}):
    start = timezone.now() + datetime.timedelta(days=1 + i % 90, hours=i % 7)
    show = Show.objects.create(title=f"Bench show {{i}}", producer=producers[i % len(producers)],
        venue=venues[i % len(venues)], start_time=start, end_time=start + datetime.timedelta(hours=2),
        published=True, description="<p>" + "A night of comedy. " * 20 + "</p>")
    show.performers.set(performers[i % 5: i % 5 + 3])
    Ticket.objects.create(show=show, name="General admission", quantity=200, price=decimal.Decimal("20.00"))
    Ticket.objects.create(show=show, name="VIP", quantity=20, price=decimal.Decimal("45.00"))
print(Show.objects.count())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--shows", type=int, default=200, help="extra published shows")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator even if wrk exists")
    args = parser.parse_args()

    with fresh_database(f"pique_bench_read_{os.getpid()}") as database:
        env = bench_env(database)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        total = manage(env, "shell", "--no-imports", "-c", EXTRA_SHOWS.format(count=args.shows)).strip()
        print(f"database: PostgreSQL, {total} shows; gunicorn {args.workers} workers × {args.threads} threads; "
              f"{args.clients} clients; {args.seconds:.0f} s per run")  # fmt: skip
        with gunicorn(env, port=args.port, workers=args.workers, threads=args.threads) as host:
            import urllib.request

            with urllib.request.urlopen(f"http://{host}/api/v1/shows/?page_size=100") as response:
                slugs = [s["slug"] for s in json.load(response)["results"]]
            detail_paths = [f"/api/v1/shows/{slug}/" for slug in slugs]
            list_paths = ["/api/v1/shows/", "/api/v1/shows/?page=2", "/api/v1/shows/?city=Chicago"]
            if shutil.which("wrk") and not args.python_client:
                print("load generator: wrk")

                def run(paths, seconds):
                    return wrk_load(host, paths, seconds=seconds, connections=args.clients)
            else:
                print("load generator: Python threads in 2 processes (install wrk for a lighter client)")

                def run(paths, seconds):
                    return load(host, paths, seconds=seconds, processes=2, threads=max(1, args.clients // 2))

            run(detail_paths, 2)  # warm-up
            report("show detail (uncached)", run(detail_paths, args.seconds))
            report("show list (20 per page)", run(list_paths, args.seconds))


if __name__ == "__main__":
    main()
