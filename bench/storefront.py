"""Storefront pages under load: the show page, ``/shows/`` and ``/``, from the page cache and without it.

Runs the app under gunicorn (3 sync workers) on a fresh PostgreSQL database with the demo data
(``seed_demo``) plus 200 extra published shows, with Redis as the cache, and drives it with ``wrk``
at 16 connections (the Python load generator of ``bench/_server.py`` when wrk is not installed). Each
page is measured with the page cache on (``PAGE_CACHE_SECONDS=5``, as in production) and off
(``PAGE_CACHE_SECONDS=0``: every request renders; a show page reads its tickets left from the
database and its other rows from the cache while no edit has changed them, ``PAGE_DATA_SECONDS=30``
as in production); the show page also *cold* (``PAGE_DATA_SECONDS=0`` too: every row read on every
request). Prints req/s, p50 and p99 and the size of each page as sent (plain and gzip). Goals on the
2-core machine: cached show page ≥ 1,500 req/s with p99 ≤ 50 ms; uncached show page ≥ 300 req/s with
p99 ≤ 150 ms; ``/`` and ``/shows/`` cached ≥ 1,000 req/s.

    .venv/bin/python bench/storefront.py [--seconds 10] [--workers 3] [--connections 16]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import tempfile
import urllib.request

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

# The demo's shows (posters, several ticket types, performers): the pages a buyer lands on.
DEMO_SLUGS = """
from piquetickets.shows.models import Show
print(" ".join(Show.objects.published().upcoming().exclude(title__startswith="Bench show")
      .order_by("start_time").values_list("slug", flat=True)))
"""


def _sizes(host: str, path: str) -> tuple[int, int]:
    """The page's HTML as sent: plain bytes, and gzip bytes when the client accepts gzip."""
    with urllib.request.urlopen(f"http://{host}{path}") as response:
        plain = len(response.read())
    request = urllib.request.Request(f"http://{host}{path}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:  # noqa: S310 - http://127.0.0.1 only
        body = response.read()
        if response.headers.get("Content-Encoding") != "gzip":
            body = gzip.compress(body)
    return plain, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--shows", type=int, default=200, help="extra published shows")
    parser.add_argument("--port", type=int, default=8811)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator even if wrk exists")
    args = parser.parse_args()

    with fresh_database(f"pique_bench_storefront_{os.getpid()}") as database, tempfile.TemporaryDirectory() as tmp:
        base = bench_env(
            database,
            REDIS_URL=args.redis,
            CACHE_KEY_PREFIX=f"bench-storefront-{os.getpid()}",
            STATIC_ROOT=os.path.join(tmp, "static"),
            MEDIA_ROOT=os.path.join(tmp, "media"),
        )
        manage(base, "migrate", "--noinput")
        manage(base, "collectstatic", "--noinput")
        manage(base, "seed_demo")
        total = manage(base, "shell", "--no-imports", "-c", EXTRA_SHOWS.format(count=args.shows)).strip()
        slugs = manage(base, "shell", "--no-imports", "-c", DEMO_SLUGS).split()
        print(
            f"database: PostgreSQL, {total} shows ({len(slugs)} from the demo); cache: Redis; "
            f"gunicorn {args.workers} workers; {args.connections} connections; {args.seconds:.0f} s per run"
        )
        if shutil.which("wrk") and not args.python_client:
            print("load generator: wrk")

            def run(host, paths, seconds):
                return wrk_load(host, paths, seconds=seconds, connections=args.connections)
        else:
            print("load generator: Python threads in 2 processes (install wrk for a lighter client)")

            def run(host, paths, seconds):
                return load(host, paths, seconds=seconds, processes=2, threads=max(1, args.connections // 2))

        pages = {
            "show page": [f"/shows/{slug}/" for slug in slugs],
            "/shows/": ["/shows/", "/shows/?page=2", "/shows/?city=Chicago"],
            "/": ["/"],
        }
        modes = (
            # label, PAGE_CACHE_SECONDS, PAGE_DATA_SECONDS, pages measured
            ("cached", "5", "30", pages),
            ("uncached", "0", "30", pages),  # every request renders; a show page's rows are kept
            ("cold", "0", "0", {"show page": pages["show page"]}),  # ...and read too (the lists keep nothing)
        )
        for label, page_seconds, data_seconds, measured in modes:
            env = {**base, "PAGE_CACHE_SECONDS": page_seconds, "PAGE_DATA_SECONDS": data_seconds}
            # Three workers importing the app on a busy 2-core machine can take more than 30 s to answer.
            with gunicorn(env, port=args.port, workers=args.workers, wait=180) as host:
                if label == "cached":
                    for name, paths in pages.items():
                        plain, compressed = _sizes(host, paths[0])
                        print(f"{name:<10} {paths[0]}: {plain / 1024:.1f} KB of HTML, {compressed / 1024:.1f} KB gzip")
                for name, paths in measured.items():
                    run(host, paths, 2)  # warm-up
                    report(f"{name} ({label})", run(host, paths, args.seconds))


if __name__ == "__main__":
    main()
