"""Many staff booking at once through gunicorn and PostgreSQL, as in production.

Loads the booking benchmark's two municipalities (residents, sessions on every weekday
for a year, bookings) and reception's phone-in requests into PostgreSQL (its tables are
dropped and recreated), gives each simulated user an account of its own (staff or
reception, alternately, in both municipalities), then starts what production runs:
``gunicorn -c gunicorn.conf.py wsgi:app`` with ``--workers`` workers on a free port of
127.0.0.1 (``INCLUSION_CONFIG=production``, console SMS, in-memory throttling, cookies
without the Secure flag because the test speaks plain HTTP) and one ``flask --app wsgi
scheduler`` beside it. Each user is a thread with a ``requests.Session`` that signs in
through the login form (with the form's CSRF token, as a browser does) and then clicks
through booking journeys until the time is up: the day view of a location, a resident
search, a session's page, the booking form, booking the resident (the real POST with its
CSRF token), the booking's page, now and then cancelling it again (POST), and
reception's queue. Everyone books from the same free places in the coming weeks, so some
places are taken by a colleague first: those 409/422 answers are counted as refusals,
not errors; any other unexpected status, 5xx or failed connection is an error. Prints
requests per second, median/p95/p99 per kind of request and overall, the resident set
size of the gunicorn master, each worker and the scheduler after the load, and checks
the database: no session over its capacity, every ``booked_count`` equal to its live
bookings, no resident twice in a session, and as many new bookings as the users saw
booked. The driver shares the machine with the server, so on a small machine it eats
into the figures. Run: ``.venv/bin/python bench/load.py --database-url
postgresql+psycopg://… [--users 50] [--seconds 60] [--workers 4] [--think-ms 0]
[--preload]``, or ``--smoke`` (5 users for 5 seconds, a smaller load) in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

import requests  # noqa: E402
from booking_views import PASSWORD, bench_app, busy_day, load, tidy_up  # noqa: E402
from reception_queue import load_requests  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from inclusion.auth.models import User  # noqa: E402
from inclusion.auth.services import AccountDetails, create_account  # noqa: E402
from inclusion.booking.models import Booking, BookingStatus, HelpSession  # noqa: E402
from inclusion.core.clock import local_day_bounds  # noqa: E402
from inclusion.extensions import db  # noqa: E402
from inclusion.org.models import Organisation, Topic  # noqa: E402
from inclusion.outbox.models import Message  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402

TIMEZONE = "Europe/Stockholm"
#: the free places everyone books from: sessions on this many weekdays from the busy day on
BOOKING_DAYS = 10
CANCEL_SHARE = 0.25
REFUSED = {409, 422}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BOOKING_URL = re.compile(r"/bookings/(\d+)$")
KINDS = [
    "sign in (POST)",
    "day view, one location",
    "resident search",
    "session page",
    "booking form",
    "book (POST)",
    "booking page",
    "cancel (POST)",
    "reception queue",
]


@dataclass
class Place:
    session_id: int
    location_id: int
    day: str


@dataclass
class Town:
    slug: str
    topic_ids: list[int]
    places: list[Place]
    residents: list[tuple[int, str]]  # (id, name) of residents that users book


@dataclass
class Tally:
    """What one user saw; merged after the run."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refused: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    booked: int = 0
    cancelled: int = 0

    def merge(self, other: Tally) -> None:
        for kind, values in other.timings.items():
            self.timings[kind].extend(values)
        self.refused.update(other.refused)
        self.errors.update(other.errors)
        self.samples.extend(other.samples[: max(0, 10 - len(self.samples))])
        self.booked += other.booked
        self.cancelled += other.cancelled


class Failed(Exception):
    """An unexpected answer; the journey starts again."""


# --- Data -------------------------------------------------------------------------------------


def add_users(count: int) -> list[tuple[str, str]]:
    """``count`` accounts, alternately staff and reception, alternately in each
    municipality; returns (email, municipality slug)."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    accounts = []
    for number in range(count):
        organisation = organisations[number % len(organisations)]
        role = "staff" if number % 2 == 0 else "reception"
        email = f"load{number}@{organisation.slug}.example"
        create_account(organisation, AccountDetails(f"Last {number}", email, role), PASSWORD)
        accounts.append((email, organisation.slug))
    db.session.commit()
    return accounts


def towns_to_book(resident_share: int) -> dict[str, Town]:
    """Per municipality: the places free before the run on ``BOOKING_DAYS`` weekdays from
    the busy day, and ``resident_share`` residents for the users to book."""
    first_day = busy_day()
    start, _ = local_day_bounds(first_day, TIMEZONE)
    _, end = local_day_bounds(first_day + timedelta(days=BOOKING_DAYS * 7 // 5), TIMEZONE)
    towns = {}
    for organisation in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        rows = db.session.execute(
            select(HelpSession.id, HelpSession.location_id, HelpSession.starts_at)
            .where(
                HelpSession.organisation_id == organisation.id,
                HelpSession.booked_count < HelpSession.capacity,
                HelpSession.starts_at >= start,
                HelpSession.starts_at < end,
            )
            .order_by(HelpSession.id)
        ).all()
        places = [Place(row.id, row.location_id, _local_day(row.starts_at)) for row in rows]
        residents = db.session.execute(
            select(Resident.id, Resident.name)
            .where(Resident.organisation_id == organisation.id)
            .order_by(Resident.id.desc())
            .limit(resident_share)
        ).all()
        towns[organisation.slug] = Town(
            organisation.slug, topic_ids_of(organisation.id), places, [tuple(row) for row in residents]
        )
    return towns


def _local_day(moment) -> str:
    return moment.astimezone(ZoneInfo(TIMEZONE)).date().isoformat()


def topic_ids_of(organisation_id: int) -> list[int]:
    return list(db.session.scalars(select(Topic.id).where(Topic.organisation_id == organisation_id)))


# --- The processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "INCLUSION_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "RATELIMIT_STORAGE_URI": "memory://",  # no Redis here; each worker counts on its own
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on 127.0.0.1, no TLS in front
        "SMS_BACKEND": "console",
        "SCHEDULER_ENABLED": "0",
        "PUBLIC_BASE_URL": "https://inclusion.example.se",
        "PROXY_COUNT": "0",  # the driver talks to gunicorn directly
    }


class Server:
    """gunicorn (with the project's gunicorn.conf.py) and one scheduler process, their
    output in log files of a temporary folder."""

    def __init__(self, url: str, workers: int, preload: bool) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="inclusion-load-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        environment = production_environment(url)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(PROJECT_DIR / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            *(["--preload"] if preload else []),
            "wsgi:app",
        ]
        self.gunicorn_log = (self.folder / "gunicorn.log").open("w")
        self.scheduler_log = (self.folder / "scheduler.log").open("w")
        self.gunicorn = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=environment, stdout=self.gunicorn_log, stderr=subprocess.STDOUT
        )
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=self.scheduler_log,
            stderr=subprocess.STDOUT,
        )
        try:
            self.wait_until_up(workers)
        except BaseException:
            self.stop()
            raise

    def wait_until_up(self, workers: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None or self.scheduler.poll() is not None:
                raise RuntimeError(f"a process stopped at start:\n{self.logs()}")
            try:
                answer = requests.get(f"{self.base_url}/login", timeout=10)
                if answer.status_code == 200 and len(children(self.gunicorn.pid)) >= workers:
                    return
            except requests.RequestException:
                pass  # still starting: workers import the app after the fork
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.logs()}")

    def memory(self) -> list[tuple[str, int, dict[str, int]]]:
        rows = [("gunicorn master", self.gunicorn.pid, memory_of(self.gunicorn.pid))]
        for number, pid in enumerate(sorted(children(self.gunicorn.pid)), start=1):
            rows.append((f"gunicorn worker {number}", pid, memory_of(pid)))
        rows.append(("scheduler", self.scheduler.pid, memory_of(self.scheduler.pid)))
        return rows

    def stop(self) -> None:
        for process, stop_signal in ((self.gunicorn, signal.SIGTERM), (self.scheduler, signal.SIGINT)):
            if process.poll() is None:
                process.send_signal(stop_signal)
        for process in (self.gunicorn, self.scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.gunicorn_log.close()
        self.scheduler_log.close()

    def logs(self, lines: int = 30) -> str:
        text = []
        for name in ("gunicorn.log", "scheduler.log"):
            tail = (self.folder / name).read_text(errors="replace").splitlines()[-lines:]
            text.append(f"--- {name} (last {len(tail)} lines)\n" + "\n".join(tail))
        return "\n".join(text)

    def remove_logs(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces, so split after the last ")"
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


def memory_of(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak) in kB, from /proc/<pid>/status."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


# --- The users --------------------------------------------------------------------------------


class StaffMember:
    """One member of staff in a browser: a cookie jar and the pages they click through."""

    def __init__(self, base_url: str, email: str, town: Town, residents: list[tuple[int, str]], seed: int):
        self.base_url = base_url
        self.email = email
        self.town = town
        self.residents = residents
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.tally = Tally()
        self.turn = 0

    def call(self, kind: str, method: str, path: str, expected: int, **options) -> requests.Response | None:
        """One request, timed; None when it was refused (409/422). Raises Failed otherwise."""
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base_url + path, allow_redirects=False, timeout=60, **options
            )
        except requests.RequestException as error:
            self.tally.errors[kind] += 1
            self._sample(f"{kind}: {type(error).__name__}: {error}")
            raise Failed from error
        self.tally.timings[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code == expected:
            return response
        if response.status_code in REFUSED:
            self.tally.refused[kind] += 1
            return None
        self.tally.errors[kind] += 1
        self._sample(f"{kind}: {method} {path} answered {response.status_code}: {response.text[:200]!r}")
        raise Failed

    def _sample(self, text: str) -> None:
        if len(self.tally.samples) < 10:
            self.tally.samples.append(text)

    def token(self, response: requests.Response) -> str:
        found = CSRF.search(response.text)
        if not found:
            self.tally.errors["no CSRF token"] += 1
            raise Failed
        return found.group(1)

    def sign_in(self) -> None:
        page = self.call("sign-in page", "GET", "/login", 200)
        self.call(
            "sign in (POST)",
            "POST",
            "/login",
            302,
            data={"csrf_token": self.token(page), "email": self.email, "password": PASSWORD},
        )
        self.tally.timings.pop("sign-in page", None)

    def journey(self) -> None:
        place = self.rng.choice(self.town.places)
        resident_id, name = self.residents[self.turn % len(self.residents)]
        self.turn += 1
        self.call(
            "day view, one location",
            "GET",
            "/schedule/day",
            200,
            params={"date": place.day, "location": place.location_id},
        )
        self.call("resident search", "GET", "/residents", 200, params={"q": name})
        self.call("session page", "GET", f"/sessions/{place.session_id}", 200)
        form = self.call(
            "booking form", "GET", f"/sessions/{place.session_id}/book", 200, params={"resident": resident_id}
        )
        if form is None:
            return
        data = {
            "csrf_token": self.token(form),
            "resident_id": resident_id,
            "channel": "phone",
            "help_agreement_read": "y",
            "note": "",
        }
        if self.town.topic_ids:
            data["topic_ids"] = self.rng.choice(self.town.topic_ids)
        booked = self.call("book (POST)", "POST", f"/sessions/{place.session_id}/book", 302, data=data)
        if booked is not None:
            found = BOOKING_URL.search(booked.headers.get("Location", ""))
            if not found:
                self.tally.errors["book (POST)"] += 1
                self._sample(f"book (POST) went to {booked.headers.get('Location')!r}")
                raise Failed
            self.tally.booked += 1
            booking_id = found.group(1)
            page = self.call("booking page", "GET", f"/bookings/{booking_id}", 200)
            if page is not None and self.rng.random() < CANCEL_SHARE:
                cancelled = self.call(
                    "cancel (POST)",
                    "POST",
                    f"/bookings/{booking_id}/cancel",
                    302,
                    data={"csrf_token": self.token(page), "reason": "Invånaren ringde och avbokade"},
                )
                if cancelled is not None:
                    self.tally.cancelled += 1
        self.call("reception queue", "GET", "/reception/requests", 200)


def run_users(
    base_url: str, accounts: list[tuple[str, str]], towns: dict[str, Town], seconds: float, think_ms: int
) -> tuple[Tally, float]:
    """Every user signs in, then all click through journeys for ``seconds``; returns the
    merged tally and the measured time."""
    per_town = Counter(slug for _, slug in accounts)
    seen = Counter()
    users = []
    for number, (email, slug) in enumerate(accounts):
        town = towns[slug]
        share = len(town.residents) // per_town[slug]
        residents = town.residents[seen[slug] * share : (seen[slug] + 1) * share]
        seen[slug] += 1
        users.append(StaffMember(base_url, email, town, residents, seed=number))

    window = {}

    def open_window() -> None:  # run by the last to reach the barrier, before any goes on
        window["start"] = time.monotonic()
        window["end"] = window["start"] + seconds

    ready = threading.Barrier(len(users) + 1, action=open_window)

    def act(user: StaffMember) -> None:
        try:
            user.sign_in()
        except Failed:
            ready.wait()
            return
        ready.wait()
        while time.monotonic() < window["end"]:
            with contextlib.suppress(Failed):
                user.journey()
            if think_ms:
                time.sleep(user.rng.uniform(0, 2 * think_ms) / 1000)

    threads = [threading.Thread(target=act, args=(user,), daemon=True) for user in users]
    for thread in threads:
        thread.start()
    ready.wait()  # everyone signed in (or failed to)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - window["start"]
    total = Tally()
    for user in users:
        total.merge(user.tally)
    return total, elapsed


# --- Figures and checks -----------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank."""
    if not sorted_values:
        return float("nan")
    index = max(0, min(len(sorted_values) - 1, round(share * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def print_figures(tally: Tally, elapsed: float) -> int:
    """Prints the table; returns the number of errors."""
    sign_ins = tally.timings.pop("sign in (POST)", [])
    print(
        f"{'request':24} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'refused':>8} {'errors':>7}"
    )
    everything = []
    for kind in KINDS + sorted(set(tally.timings) - set(KINDS)):
        values = sorted(sign_ins if kind == "sign in (POST)" else tally.timings.get(kind, []))
        if not values and not tally.errors[kind]:
            continue
        if kind != "sign in (POST)":
            everything.extend(values)
        rate = "" if kind == "sign in (POST)" else f"{len(values) / elapsed:7.1f}"
        print(
            f"{kind:24} {len(values):7d} {rate:>7} {percentile(values, 0.5):8.1f} "
            f"{percentile(values, 0.95):8.1f} {percentile(values, 0.99):8.1f} "
            f"{tally.refused[kind]:8d} {tally.errors[kind]:7d}"
        )
    everything.sort()
    errors = sum(tally.errors.values())
    print(
        f"{'all (after sign-in)':24} {len(everything):7d} {len(everything) / elapsed:7.1f} "
        f"{percentile(everything, 0.5):8.1f} {percentile(everything, 0.95):8.1f} "
        f"{percentile(everything, 0.99):8.1f} {sum(tally.refused.values()):8d} {errors:7d}"
    )
    print(
        f"{len(everything) / elapsed:.1f} requests/s over {elapsed:.1f} s; "
        f"{tally.booked} booked, {tally.cancelled} of them cancelled again, "
        f"{tally.refused['book (POST)']} bookings refused (place taken or resident busy), {errors} errors"
    )
    for sample in tally.samples:
        print(f"  error: {sample}")
    return errors


def print_memory(rows: list[tuple[str, int, dict[str, int]]]) -> None:
    print(f"{'process':20} {'pid':>8} {'RSS MB':>8} {'peak MB':>8}")
    for name, pid, memory in rows:
        rss, peak = memory.get("VmRSS"), memory.get("VmHWM")
        print(
            f"{name:20} {pid:8d} {rss / 1024 if rss else float('nan'):8.1f} "
            f"{peak / 1024 if peak else float('nan'):8.1f}"
        )
    workers = [memory.get("VmRSS", 0) for name, _, memory in rows if name.startswith("gunicorn worker")]
    total = sum(memory.get("VmRSS", 0) for _, _, memory in rows)
    if workers:
        print(
            f"workers {sum(workers) / len(workers) / 1024:.1f} MB each on average; all processes "
            f"{total / 1024:.1f} MB (RSS counts pages shared after fork in each process)"
        )


def check_database(first_booking_id: int, tally: Tally) -> list[str]:
    """What must hold after the load; returns the problems found."""
    live = Booking.status != BookingStatus.CANCELLED
    over = db.session.scalar(
        select(func.count()).select_from(HelpSession).where(HelpSession.booked_count > HelpSession.capacity)
    )
    counted = (
        select(Booking.session_id, func.count().label("booked"))
        .where(Booking.status == BookingStatus.BOOKED)
        .group_by(Booking.session_id)
        .subquery()
    )
    mismatched = db.session.scalar(
        select(func.count())
        .select_from(HelpSession)
        .outerjoin(counted, counted.c.session_id == HelpSession.id)
        .where(HelpSession.booked_count != func.coalesce(counted.c.booked, 0))
    )
    twice = db.session.scalar(
        select(func.count()).select_from(
            select(Booking.session_id, Booking.resident_id)
            .where(live)
            .group_by(Booking.session_id, Booking.resident_id)
            .having(func.count() > 1)
            .subquery()
        )
    )
    new = db.session.execute(
        select(Booking.status, func.count()).where(Booking.id >= first_booking_id).group_by(Booking.status)
    ).all()
    made = dict(new)
    new_total = sum(made.values())
    problems = []
    print(
        f"database: {over} sessions over capacity, {mismatched} with booked_count not equal to their "
        f"bookings, {twice} (session, resident) pairs booked twice; {new_total} bookings made during "
        f"the load ({made.get(BookingStatus.BOOKED, 0)} booked, {made.get(BookingStatus.CANCELLED, 0)} "
        f"cancelled, {made.get(BookingStatus.WAITLISTED, 0)} waitlisted), the users saw {tally.booked} "
        f"booked and {tally.cancelled} cancelled"
    )
    if over:
        problems.append(f"{over} sessions over capacity")
    if mismatched:
        problems.append(f"{mismatched} sessions whose booked_count is not their bookings")
    if twice:
        problems.append(f"{twice} residents booked twice into a session")
    if new_total < tally.booked or made.get(BookingStatus.CANCELLED, 0) < tally.cancelled:
        problems.append("fewer bookings or cancellations in the database than the users saw")
    outbox = dict(db.session.execute(select(Message.state, func.count()).group_by(Message.state)).all())
    print("outbox: " + (", ".join(f"{count} {state}" for state, count in sorted(outbox.items())) or "empty"))
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--think-ms", type=int, default=0, help="mean pause between journeys per user")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload (to compare memory)")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--bookings", type=int, default=20_000, help="bookings loaded before the run")
    parser.add_argument("--requests", type=int, default=20_000, help="phone-in requests in reception's queue")
    parser.add_argument("--smoke", action="store_true", help="5 users for 5 seconds on a smaller load")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    if args.smoke:
        args.users, args.seconds = 5, 5
        args.residents, args.bookings, args.requests = 4_000, 4_000, 2_000
    if not (args.database_url or "").startswith("postgresql"):
        # not an error, so that `make bench` without PostgreSQL runs the other benchmarks
        print(
            "skipped: give a PostgreSQL database with --database-url or DATABASE_URL (its tables are dropped)"
        )
        return
    os.environ["DATABASE_URL"] = args.database_url

    app = bench_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        started = time.perf_counter()
        towns_loaded = load(args.residents, args.bookings)
        load_requests(towns_loaded[0], args.requests)
        accounts = add_users(args.users)
        towns = towns_to_book(resident_share=args.residents // 4)
        first_booking_id = (db.session.scalar(select(func.max(Booking.id))) or 0) + 1
        users_by_role = Counter(db.session.scalars(select(User.role).where(User.email.like("load%"))))
        db.session.commit()
        print(
            f"loaded 2 municipalities, {args.residents} residents, {args.bookings} bookings, "
            f"{args.requests} phone-in requests, {args.users} accounts "
            f"({', '.join(f'{count} {role}' for role, count in sorted(users_by_role.items()))}) "
            f"in {time.perf_counter() - started:.1f} s; free sessions to book: "
            + ", ".join(f"{len(town.places)} in {slug}" for slug, town in towns.items())
        )
        db.session.remove()
        db.engine.dispose()

    try:
        server = Server(url, args.workers, args.preload)
    except BaseException:
        tidy_up(app)
        raise
    print(
        f"gunicorn with {args.workers} workers{' (preloaded)' if args.preload else ''} on {server.base_url}, "
        f"one scheduler beside it; {args.users} users for {args.seconds:.0f} s"
        + (f", {args.think_ms} ms between journeys" if args.think_ms else ", no pause between journeys"),
        flush=True,
    )
    try:
        tally, elapsed = run_users(server.base_url, accounts, towns, args.seconds, args.think_ms)
        memory = server.memory()
        alive = server.gunicorn.poll() is None and server.scheduler.poll() is None
    finally:
        server.stop()
    errors = print_figures(tally, elapsed)
    print_memory(memory)
    if not alive:
        print(server.logs())
    with app.app_context():
        problems = check_database(first_booking_id, tally)
    server.remove_logs()
    tidy_up(app)
    if not alive:
        problems.append("gunicorn or the scheduler stopped during the run")
    if errors:
        problems.append(f"{errors} errors")
    if problems:
        sys.exit("; ".join(problems))


if __name__ == "__main__":
    main()
