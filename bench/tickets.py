"""PDF tickets: milliseconds per ``ticket_pdf`` call, in one process, as a worker or a web request makes it.

Builds, in a throw-away SQLite database, one show and four orders, then times
``piquetickets.orders.tickets.ticket_pdf(order=…)`` for each and prints, over ``--runs`` calls after
a first (cold) one, the median and p95 in ms of wall time (what a buyer waits for) and of the
thread's CPU time (what the PDF costs, less sensitive to other work on the machine):

- 1 Latin ticket (Noto Sans only),
- 1 CJK ticket (Noto Sans and Droid Sans Fallback, a 4 MB font),
- 1 Arabic ticket (Noto Sans and Noto Sans Arabic: shaped, right to left),
- 12 mixed tickets (Latin, Greek, Cyrillic, Arabic, Hebrew, Chinese and Japanese names: every face).

The cold call is the first PDF of the process that needs each font (fpdf2 parses the faces then).
Then ``--threads`` threads build the mixed order at once (as gunicorn's threads, or the worker and a
web request, might), printing the wall time per PDF.

    .venv/bin/python bench/tickets.py [--runs 50] [--threads 2]

The time includes the two small queries ``ticket_pdf`` makes (SQLite on local disk) and fpdf2's
output (font subsetting, compression). Goal on the 2-core machine, warm: a one-ticket Latin PDF
≤ 15 ms and a CJK one ≤ 40 ms. Benchmarks print figures; they assert nothing.

Figures: ``docs/architecture.md`` (PDF tickets).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MIXED_NAMES = [
    ("Alex", "Morgan"),
    ("王小明", ""),
    ("محمد", "العلي"),
    ("Ελένη", "Παπαδοπούλου"),
    ("דוד", "כהן"),
    ("Иван", "Петров"),
    ("Zoë", "Ødegård"),
    ("山田", "太郎"),
    ("Léa 王小明", "محمد Ελένη דוד"),
    ("佐藤", "さくら"),
    ("Łukasz", "Dvořák"),
    ("فاطمة", "الزهراء"),
]


def _setup(database: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ENV_FILE": "",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "ALLOW_TEST_PAYMENTS": "1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{database}",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _orders() -> dict[str, object]:
    from tests.factories import (
        AttendeeFactory,
        OrderFactory,
        ProducerFactory,
        ShowFactory,
        TicketOrderFactory,
        VenueFactory,
    )

    show = ShowFactory(
        title="Late Night Laughs",
        time_zone="Europe/Berlin",
        door_time=datetime(2026, 12, 11, 18, 0, tzinfo=UTC),
        start_time=datetime(2026, 12, 11, 18, 30, tzinfo=UTC),
        end_time=datetime(2026, 12, 11, 21, 0, tzinfo=UTC),
        venue=VenueFactory(
            name="Kesselhaus", address="Schönhauser Allee 36", city="Berlin", state="", zip_code="10435", country="DE"
        ),
        producer=ProducerFactory(name="Pique Comedy", support_email="help@piquecomedy.example"),
    )

    def order(names: list[tuple[str, str]]):
        line = TicketOrderFactory(order=OrderFactory(show=show))
        for first, last in names:
            AttendeeFactory(ticket_order=line, first_name=first, last_name=last)
        return line.order

    return {
        "1 Latin ticket": order([("Alex", "Morgan")]),
        "1 CJK ticket": order([("王小明", "")]),
        "1 Arabic ticket": order([("محمد", "العلي")]),
        "12 mixed tickets": order(MIXED_NAMES),
    }


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed calls per PDF (after the cold one)")
    parser.add_argument("--threads", type=int, default=2, help="threads building PDFs at once (0: skip)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pique-bench-tickets-") as folder:
        _setup(Path(folder) / "bench.sqlite3")
        from piquetickets.core.fonts import font_chain
        from piquetickets.orders.tickets import ticket_pdf

        chain = font_chain()
        print(f"fonts: {', '.join(face.family for face in chain.faces) or 'none (Helvetica)'}; {args.runs} runs each")
        orders = _orders()
        print(f"{'PDF':<18} {'cold':>7} {'wall median':>12} {'p95':>7} {'CPU median':>11} {'p95':>7} {'KB':>5}")
        for name, order in orders.items():
            start = time.perf_counter()
            pdf = ticket_pdf(order=order)
            cold = time.perf_counter() - start
            wall, cpu = [], []
            for _ in range(args.runs):
                start, start_cpu = time.perf_counter(), time.thread_time()
                ticket_pdf(order=order)
                wall.append(time.perf_counter() - start)
                cpu.append(time.thread_time() - start_cpu)
            print(
                f"{name:<18} {cold * 1000:7.1f} {_ms(wall)[0]:12.1f} {_ms(wall)[1]:7.1f} "
                f"{_ms(cpu)[0]:11.1f} {_ms(cpu)[1]:7.1f} {len(pdf) / 1024:5.0f}"
            )
        print("(ms per PDF)")

        if args.threads:
            mixed = orders["12 mixed tickets"]
            per_thread = max(1, args.runs // 5)
            barrier = threading.Barrier(args.threads)

            def build() -> None:
                barrier.wait()
                for _ in range(per_thread):
                    ticket_pdf(order=mixed)

            workers = [threading.Thread(target=build) for _ in range(args.threads)]
            start = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            wall = time.perf_counter() - start
            count = per_thread * args.threads
            print(
                f"{args.threads} threads × {per_thread} mixed PDFs at once: "
                f"{wall / count * 1000:.1f} ms of wall time per PDF ({count} PDFs in {wall:.2f} s)"
            )


if __name__ == "__main__":
    main()
