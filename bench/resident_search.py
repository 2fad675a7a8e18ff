"""How fast reception finds a resident while the caller waits.

Loads N residents into one municipality (plus as many in another, to show isolation
costs nothing), then times the search page for the ways receptionists type: the whole
number written the Swedish way, a prefix, the last digits, part of a name. Prints the
median and 95th percentile in milliseconds. Run: ``make bench`` or
``.venv/bin/python bench/resident_search.py [N]`` (``DATABASE_URL`` for PostgreSQL).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from config import TestingConfig  # noqa: E402
from inclusion import create_app  # noqa: E402
from inclusion.auth.services import AccountDetails, create_account  # noqa: E402
from inclusion.extensions import db  # noqa: E402
from inclusion.org.models import Organisation  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402

FIRST = ["Anna", "Karl", "Margit", "Sven", "Åsa", "Örjan", "Birgitta", "Lars", "Ingrid", "Gösta"]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Öberg",
]


def load(count: int) -> None:
    for slug in ("bench-a", "bench-b"):
        organisation = Organisation(slug=slug, name=slug, sms_sender_name="Bench")
        db.session.add(organisation)
        db.session.flush()
        rows = []
        for i in range(count):
            name = f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} {i}"
            rows.append(
                {
                    "organisation_id": organisation.id,
                    "name": name,
                    "search_name": name.casefold(),
                    "phone_e164": f"+4670{i:07d}",
                    "phone_kind": "mobile",
                    "preferred_language": "sv",
                    "preferred_channel": "staff_call",
                }
            )
        db.session.execute(insert(Resident), rows)
        if slug == "bench-a":
            create_account(
                organisation, AccountDetails("Bench", "bench@example.org", "reception"), "bench-password"
            )
    db.session.commit()


def measure(client, query: str, rounds: int = 60) -> tuple[float, float]:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get("/residents", query_string={"q": query})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        load(count)
        print(
            f"loaded {count} residents in each of 2 municipalities in {time.perf_counter() - started:.1f} s"
        )
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": "bench-password"})
    print(f"database: {url.split(':')[0]}")
    print(f"{'search':32} {'median ms':>10} {'p95 ms':>8}")
    for label, query in [
        ("whole number 070-000 12 34", "070-000 12 34"),
        ("prefix 070-0001", "070-0001"),
        ("last digits 1234", "1234"),
        ("part of name 'örjan'", "örjan"),
        ("empty (first 50 by name)", ""),
    ]:
        median, p95 = measure(client, query)
        print(f"{label:32} {median:10.1f} {p95:8.1f}")
    with app.app_context():
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
