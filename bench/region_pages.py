"""How the busiest staff pages answer with a whole region on one database.

Generates the region of ``bench/region.py`` (at ``--scale 1.0``: 50 municipalities,
2,000,000 residents, 1,000,000 bookings, 1,000,000 outbox rows) and times, through the
Flask test client (the whole request: queries, rendering, the request's commit), in the
first municipality: the staff day view of a busy day (whole municipality), reception's
queue, resident search by part of a name and by a whole number, the outbox (first page,
the next page by its "older" link, failed messages only) and the coordinator's report
for one month. ``--rounds`` requests each (30) after one to warm up: median and 95th
percentile in milliseconds and the SQL statements of one request.

The same pages are measured first on a region at ``--small-scale`` (0.01), to show that
the number of statements does not grow with the data: the last column gives the count
at that scale, and a page whose count differs is marked.

Run: ``.venv/bin/python bench/region_pages.py --scale 0.05`` (default: SQLite, a new
file) or with ``--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_region``
(its tables are dropped and recreated). ``--scale 1.0`` is the full region.
"""

from __future__ import annotations

import gc
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booking_views import StatementCounter, measure, signed_in, tidy_up  # noqa: E402
from region import PASSWORD, Region, describe, generate, parse, region_app  # noqa: E402
from sqlalchemy import select  # noqa: E402

from inclusion.core.clock import local_today  # noqa: E402
from inclusion.core.phone import format_national  # noqa: E402
from inclusion.extensions import db  # noqa: E402
from inclusion.reports.periods import last_full_month  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402

#: psycopg prepares a statement after five uses (its ``prepare_threshold``)
WARM_UP_ROUNDS = 6

assert PASSWORD == "bench-password"  # booking_views.signed_in signs in with it


def busy_day(region: Region):
    """A weekday after today with sessions (the region's days are around today)."""
    today = local_today("Europe/Stockholm")
    later = [day for day in region.days if day > today]
    return later[min(2, len(later) - 1)]


def cases(app, region: Region) -> list[tuple[str, object]]:
    town = region.towns[0]
    with app.app_context():
        phone = db.session.scalar(
            select(Resident.phone_e164).where(Resident.id == town.first_resident + town.resident_count // 2)
        )
    staff = signed_in(app, f"staff0@{town.slug}.example")
    reception = signed_in(app, f"reception@{town.slug}.example")
    coordinator = signed_in(app, f"coordinator@{town.slug}.example")
    first, last = last_full_month(local_today("Europe/Stockholm"))
    day = busy_day(region)
    older = {}

    def outbox_first():
        response = reception.get("/messages/")
        older["link"] = _older_link(response.get_data(as_text=True))
        return response

    def outbox_older():
        return reception.get(older["link"])

    return [
        (
            "day view, municipality",
            lambda: staff.get("/schedule/day", query_string={"date": day.isoformat()}),
        ),
        ("reception queue (open)", lambda: reception.get("/reception/requests")),
        ("resident search, name 'örjan'", lambda: reception.get("/residents", query_string={"q": "örjan"})),
        (
            "resident search, whole number",
            lambda: reception.get("/residents", query_string={"q": format_national(phone)}),
        ),
        ("resident search, first digits", lambda: reception.get("/residents", query_string={"q": "070-100"})),
        ("outbox, first page", outbox_first),
        ("outbox, older page", outbox_older),
        ("outbox, failed only", lambda: reception.get("/messages/", query_string={"state": "failed"})),
        (
            f"report, {first:%B %Y} by week",
            lambda: coordinator.get(
                "/reports/",
                query_string={"from_day": first.isoformat(), "to_day": last.isoformat(), "grouping": "week"},
            ),
        ),
    ]


def _older_link(page: str) -> str:
    """The outbox page's link to older messages (its last ``href`` with ``before``)."""
    import html
    import re

    links = [html.unescape(link) for link in re.findall(r'href="([^"]*before[^"]*)"', page)]
    assert links, "the outbox page has no link to older messages"
    return links[-1]


def run(
    database_url: str | None, scale: float, rounds: int
) -> tuple[str, dict[str, tuple[float, float, int]]]:
    app = region_app(database_url)
    try:
        with app.app_context():
            region = generate(scale, report=lambda line: None)
            counter = StatementCounter(db.engine)
            db.session.remove()
        page_cases = cases(app, region)
        # As in a worker that has served a while: templates compiled, caches filled, and
        # psycopg's statements prepared on the server (it prepares one on its sixth use,
        # and that request pays for planning and PREPARE of each of its statements).
        for _round in range(WARM_UP_ROUNDS):
            for _label, send in page_cases:
                send()
        # as gunicorn.conf.py's post_worker_init does: what exists now lives for ever
        gc.collect()
        gc.freeze()
        figures = {}
        for label, send in page_cases:
            figures[label] = measure(send, counter, 200, rounds)
            print(
                f"  scale {scale:g}, {label}: {figures[label][0]:.1f} ms median", file=sys.stderr, flush=True
            )
        return describe(region), figures
    finally:
        tidy_up(app)


def main() -> None:
    parser = parse(__doc__.split("\n")[0])
    parser.add_argument("--small-scale", type=float, default=0.01, help="for the statement counts (0.01)")
    parser.add_argument("--rounds", type=int, default=30)
    options = parser.parse_args()
    print(f"database: {(options.database_url or 'sqlite').split(':')[0]}")
    started = time.perf_counter()
    small_region, small = run(options.database_url, options.small_scale, 3)
    print(f"small: {small_region}")
    region, figures = run(options.database_url, options.scale, options.rounds)
    print(f"measured: {region}")
    print(f"{options.rounds} requests each, after {WARM_UP_ROUNDS} rounds of every page to warm up")
    print(
        f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'at ' + format(options.small_scale, 'g'):>8}"
    )
    for label, (median, p95, statements) in figures.items():
        at_small = small[label][2]
        flag = "" if at_small == statements else "  <- grows with the data"
        print(f"{label:34} {median:10.1f} {p95:8.1f} {statements:8d} {at_small:8d}{flag}")
    print(f"total {timedelta(seconds=round(time.perf_counter() - started))}")


if __name__ == "__main__":
    main()
