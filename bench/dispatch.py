"""How many SMS a second the dispatcher sends, beside what the same HTTP traffic costs.

A busy morning: N residents (20,000 by default, loaded with bulk ``insert()``), each with
one due SMS that belongs to no booking. For each number of processes (1, 2 and 4), that
many ``flask --app wsgi dispatch --once --concurrency C`` run at once: the real
``twilio`` client posting to the fake Twilio, which runs in a process of its own
(``python -m tests.fake_twilio --quiet``, a thread per connection) and answers after
50–150 ms, as Twilio does. The messages in flight (``--in-flight``, 48 by default: at
about 100 ms a request, 333 a second, 20,000 a minute, need at least 34) are shared
out between the processes, so each row compares the same load. The floor beside it: the
same POSTs of the same form to the same fake with plain ``requests`` (a Session per
thread, C threads in each of the same number of processes). Rates are messages per
second between the first and the last request the fake answered; the wall time
includes starting the processes. At the end of each run the fake's count must show
every number exactly once, and the database every row sent, at its first attempt.

Targets: the dispatcher within 1.5× of the floor (ratio ≥ 0.67), and 20,000 messages
in under a minute (below 20,000, judged from the rate). Run: ``make bench`` or
``.venv/bin/python bench/dispatch.py [--messages 20000] [--delay-ms 50-150]
[--processes 1,2,4] [--in-flight 48 | --concurrency C] [--database-url URL]``
(``DATABASE_URL`` works too: PostgreSQL, whose tables are dropped and recreated;
without, SQLite in a new file). ``--smoke`` is the short run for CI: 200 messages, 1
and 2 processes, failing only when a number did not get exactly one SMS.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import time as clock
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

import requests  # noqa: E402
from booking_views import bench_app, tidy_up  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from inclusion.extensions import db  # noqa: E402
from inclusion.org.models import Organisation  # noqa: E402
from inclusion.outbox.models import Message, MessageEvent, NotificationSettings, State  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN  # noqa: E402
from tests.notifications.test_processes import DUE_SMS_BODY, add_due_sms  # noqa: E402

SENDER = "+46766860000"
#: the issue's busy morning: this many reminders ...
MORNING = 20_000
#: ... sent in under this many seconds
MORNING_SECONDS = 60.0
STATUS_CALLBACK = "https://inclusion.example.se/twilio/sms/status"
SUMMARY = re.compile(
    r"received (?P<requests>\d+) requests, (?P<accepted>\d+) accepted, to (?P<numbers>\d+) numbers, "
    r"(?P<repeated>\d+) more than once, first to last (?P<window>[\d.]+) s"
)


@dataclass
class Received:
    """What the fake counted in one run."""

    requests: int
    accepted: int
    numbers: int
    repeated: int
    window: float

    def exactly_once(self, expected: int) -> bool:
        return self.requests == self.accepted == self.numbers == expected and self.repeated == 0

    def rate(self) -> float:
        return (self.accepted - 1) / self.window if self.window > 0 else float("nan")


class FakeProcess:
    """``python -m tests.fake_twilio`` on a free port, stopped with Ctrl-C (SIGINT), after
    which it prints what it received."""

    def __init__(self, delay_ms: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_twilio", "--port", "0", "--delay", delay_ms, "--quiet"],
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        first_line = self.process.stdout.readline()
        found = re.search(r"on (http://\S+)", first_line)
        if not found:
            self.process.kill()
            raise RuntimeError(f"the fake Twilio did not start: {first_line!r}")
        self.base_url = found.group(1)

    def __enter__(self) -> FakeProcess:
        return self

    def __exit__(self, *_exception) -> None:
        if self.process.poll() is None:  # a run failed before stop()
            self.process.kill()
            self.process.wait()

    def stop(self) -> Received:
        self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=30)
        found = SUMMARY.search(rest)
        if not found:
            raise RuntimeError(f"no summary from the fake Twilio: {rest!r}")
        return Received(
            **{
                key: float(value) if key == "window" else int(value)
                for key, value in found.groupdict().items()
            }
        )


def set_up() -> int:
    """One municipality without quiet hours (the benchmark runs at any hour)."""
    organisation = Organisation(slug="bench-dispatch", name="Bench kommun", sms_sender_name="Bench")
    db.session.add(organisation)
    db.session.flush()
    db.session.add(
        NotificationSettings(organisation_id=organisation.id, quiet_from=clock(0), quiet_until=clock(0))
    )
    db.session.commit()
    return organisation.id


def fresh_outbox(organisation_id: int, count: int) -> list[str]:
    """Empty the outbox and load ``count`` due SMS again; returns the numbers."""
    db.session.execute(delete(MessageEvent))
    db.session.execute(delete(Message))
    db.session.execute(delete(Resident))
    db.session.commit()
    return list(add_due_sms(organisation_id, count))


def outbox_check() -> tuple[int, int, dict[str, int]]:
    """(rows sent at their first attempt, all rows, rows by state and attempts)."""
    sent_once = db.session.scalar(
        select(func.count()).where(Message.state == State.SENT, Message.attempts == 1)
    )
    total = db.session.scalar(select(func.count()).select_from(Message))
    states = {
        f"{state} after {attempts}" + (f" ({error})" if error else ""): count
        for state, attempts, error, count in db.session.execute(
            select(Message.state, Message.attempts, Message.error_message, func.count()).group_by(
                Message.state, Message.attempts, Message.error_message
            )
        )
    }
    db.session.remove()
    return sent_once, total, states


def run_dispatchers(url: str, base_url: str, processes: int, concurrency: int) -> tuple[float, list[str]]:
    """``processes`` dispatchers at once; returns the wall time until the last is done,
    and what each printed."""
    environment = {
        **os.environ,
        "INCLUSION_CONFIG": "testing",
        "DATABASE_URL": url,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": SENDER,
        "TWILIO_API_BASE_URL": base_url,
        "PUBLIC_BASE_URL": "https://inclusion.example.se",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "wsgi",
        "dispatch",
        "--once",
        "--concurrency",
        str(concurrency),
    ]
    started = time.perf_counter()
    running = [
        subprocess.Popen(command, cwd=PROJECT_DIR, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    outputs = []
    for process in running:
        output, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"a dispatcher failed ({process.returncode}):\n{output}")
        outputs.append(output.strip())
    return time.perf_counter() - started, outputs


def post_all(base_url: str, numbers: list[str], threads: int) -> None:
    """The floor in one process: each number posted once, ``threads`` at a time."""
    url = f"{base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    local = threading.local()

    def post(number: str) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.auth = (ACCOUNT_SID, AUTH_TOKEN)
        response = session.post(
            url,
            data={"To": number, "From": SENDER, "Body": DUE_SMS_BODY, "StatusCallback": STATUS_CALLBACK},
            timeout=10,
        )
        if response.status_code != 201:
            raise RuntimeError(f"the fake answered {response.status_code}: {response.text}")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(post, numbers))


def run_floor(base_url: str, numbers: list[str], processes: int, concurrency: int) -> float:
    context = multiprocessing.get_context("spawn")
    shares = [numbers[index::processes] for index in range(processes)]
    started = time.perf_counter()
    running = [context.Process(target=post_all, args=(base_url, share, concurrency)) for share in shares]
    for process in running:
        process.start()
    for process in running:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a floor process failed ({process.exitcode})")
    return time.perf_counter() - started


def in_a_minute(messages: int, wall: float, rate: float) -> str:
    """Whether the busy morning goes in under a minute: measured at 20,000 or more,
    judged from the rate below that."""
    if messages >= MORNING:
        return "yes" if wall < MORNING_SECONDS else "NO"
    return ("yes" if MORNING / rate < MORNING_SECONDS else "NO") + " (from the rate)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=MORNING)
    parser.add_argument("--delay-ms", default="50-150", help="the fake's response delay, e.g. 50-150 or 0")
    parser.add_argument("--processes", default="1,2,4", help="numbers of dispatcher processes to try")
    parser.add_argument(
        "--in-flight",
        type=int,
        default=48,
        help="messages in flight in all, shared out between the processes",
    )
    parser.add_argument(
        "--concurrency", type=int, default=None, help="messages in flight per process instead"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument(
        "--smoke", action="store_true", help="a short run for CI: 200 messages, 1 and 2 processes"
    )
    args = parser.parse_args()
    if args.smoke:
        args.messages, args.processes = 200, "1,2"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    counts = [int(part) for part in args.processes.split(",")]

    app = bench_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        organisation_id = set_up()
    share = f"{args.concurrency} per process" if args.concurrency else f"{args.in_flight} in all"
    print(
        f"{args.messages} due SMS, fake Twilio answering in {args.delay_ms} ms, {share} in flight; "
        f"targets: ratio >= 0.67, {MORNING} in under {MORNING_SECONDS:.0f} s"
    )
    print(
        f"{'processes':>9} {'in flight':>9} {'messages':>8} {'dispatcher msg/s':>17} {'floor msg/s':>12} "
        f"{'ratio':>6} {'dispatcher wall s':>18} {'floor wall s':>13} {'20,000 < 60 s':>19}  exactly once"
    )
    all_once = True
    for processes in counts:
        concurrency = args.concurrency or math.ceil(args.in_flight / processes)
        with app.app_context():
            started = time.perf_counter()
            numbers = fresh_outbox(organisation_id, args.messages)
            loaded = time.perf_counter() - started
        with FakeProcess(args.delay_ms) as fake:
            dispatcher_wall, reports = run_dispatchers(url, fake.base_url, processes, concurrency)
            dispatched = fake.stop()
        with app.app_context():
            sent_once, rows, states = outbox_check()
        with FakeProcess(args.delay_ms) as fake:
            floor_wall = run_floor(fake.base_url, numbers, processes, concurrency)
            floor = fake.stop()
        if not floor.exactly_once(args.messages):
            raise RuntimeError(f"the floor did not post each number once: {floor}")
        once = dispatched.exactly_once(args.messages) and sent_once == rows == args.messages
        all_once = all_once and once
        verdict = (
            f"yes ({dispatched.numbers} numbers, {dispatched.accepted} SMS, {sent_once} rows sent at 1st attempt)"
            if once
            else f"NO: {dispatched}, {sent_once} of {rows} rows sent at the first attempt"
        )
        if not once:
            print(f"rows: {states}; the dispatchers said: {reports}")
        print(
            f"{processes:>9} {processes * concurrency:>9} {args.messages:>8} {dispatched.rate():>17.0f} "
            f"{floor.rate():>12.0f} {dispatched.rate() / floor.rate():>6.2f} {dispatcher_wall:>18.1f} "
            f"{floor_wall:>13.1f} {in_a_minute(args.messages, dispatcher_wall, dispatched.rate()):>19}  "
            f"{verdict} [loaded in {loaded:.1f} s]",
            flush=True,
        )
    tidy_up(app)
    if not all_once:
        sys.exit("some numbers did not get exactly one SMS")


if __name__ == "__main__":
    main()
