"""A fake Twilio REST API on 127.0.0.1, for tests and benchmarks.

It answers the real ``twilio`` client the way Twilio does: 201 with a JSON resource
for Messages.json and Calls.json, 400 with Twilio's error codes for numbers it is told
to refuse, 401 for wrong credentials, and 429 or 500 when told to. It can also be down
for a while (503 to everything, as in an outage), hang after accepting a request (the
message exists at Twilio, the answer comes late or never reaches a client that gave up),
and run a test's code between accepting and answering (a status callback that arrives
before the create request has answered). It remembers every request, so a test can count
how often each number was messaged.

Run it alone for trying the app by hand or benchmarking::

    python -m tests.fake_twilio --port 8099 --delay 50-150
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 30 + "fa"
AUTH_TOKEN = "fake-twilio-auth-token"
_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<resource>Messages|Calls)\.json$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")

ERROR_MESSAGES = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    21211: "The 'To' number {to} is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}


@dataclass
class Received:
    resource: str  # "Messages" or "Calls"
    to: str
    sender: str | None
    body: str | None
    url: str | None
    status_callback: str | None
    sid: str | None
    status: int
    at: float = field(default_factory=time.monotonic)


@dataclass
class Scripted:
    status: int
    code: int | None


class _Server(ThreadingHTTPServer):
    """A thread for each connection. The backlog is set on the class: ``listen()`` runs
    in the constructor, and the default of 5 drops connections when a benchmark opens
    dozens at once."""

    daemon_threads = True
    request_queue_size = 512


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN, port: int = 0) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.delay: tuple[float, float] = (0.0, 0.0)
        #: print each request (when run on its own, to watch the app send)
        self.verbose = False
        self.received: list[Received] = []
        self._refused: dict[tuple[str, str], Scripted] = {}
        self._next: list[Scripted] = []
        self._lock = threading.Lock()
        #: monotonic moment until which every request gets 503 (None: up)
        self._down_until: float | None = None
        #: seconds to wait after accepting before answering, for the next requests
        self._hangs: list[float] = []
        #: called with each accepted request (its sid set) before the answer goes back
        self.on_accepted: Callable[[Received], None] | None = None
        self.server = _Server(("127.0.0.1", port), self._handler())
        self._thread: threading.Thread | None = None

    # --- set-up ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeTwilio:
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-twilio", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def refuse(
        self, number: str, status: int = 400, code: int | None = 21211, resource: str | None = None
    ) -> None:
        """Every request to this number (only SMS with resource="Messages", only calls
        with "Calls") gets this error."""
        for each in (resource,) if resource else ("Messages", "Calls"):
            self._refused[(each, number)] = Scripted(status, code)

    def fail_next(self, times: int, status: int, code: int | None = None) -> None:
        """The next requests (to any number) get this error, then it answers normally."""
        with self._lock:
            self._next.extend(Scripted(status, code) for _ in range(times))

    def go_down(self, seconds: float | None = None) -> None:
        """An outage: every request gets 503 Service Unavailable, for ``seconds`` or until
        ``come_back``."""
        with self._lock:
            self._down_until = float("inf") if seconds is None else time.monotonic() + seconds

    def come_back(self) -> None:
        with self._lock:
            self._down_until = None

    @property
    def is_down(self) -> bool:
        with self._lock:
            return self._down_until is not None and time.monotonic() < self._down_until

    def hang_next(self, times: int, seconds: float) -> None:
        """The next requests are accepted (the message exists, as at Twilio) and answered
        only after ``seconds``: longer than the client's time-out, the client gives up."""
        with self._lock:
            self._hangs.extend(seconds for _ in range(times))

    # --- reading what happened ----------------------------------------------------------

    def accepted(self, resource: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.sid and (resource is None or r.resource == resource)]

    def count_by_number(self, resource: str | None = None) -> Counter:
        return Counter(r.to for r in self.accepted(resource))

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self._next.clear()
            self._hangs.clear()
            self._down_until = None
        self._refused.clear()
        self.delay = (0.0, 0.0)
        self.on_accepted = None

    # --- the HTTP side --------------------------------------------------------------------

    def _answer(self, resource: str, form: dict[str, str]) -> tuple[int, dict]:
        to = form.get("To", "")
        if self.is_down:
            return 503, _error(Scripted(503, None), to)
        with self._lock:
            scripted = self._next.pop(0) if self._next else None
        if scripted is None:
            scripted = self._refused.get((resource, to))
        if scripted is None and not _E164.match(to):
            scripted = Scripted(400, 21211)
        if scripted is not None:
            return scripted.status, _error(scripted, to)
        prefix = "SM" if resource == "Messages" else "CA"
        sid = prefix + uuid.uuid4().hex
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        resource_body = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": to,
            "from": form.get("From") or "+46700000000",
            "status": "queued",
            "date_created": now,
            "date_updated": now,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/{resource}/{sid}.json",
        }
        if resource == "Messages":
            resource_body.update(body=form.get("Body", ""), num_segments="1", direction="outbound-api")
            resource_body["messaging_service_sid"] = form.get("MessagingServiceSid")
        else:
            resource_body.update(direction="outbound-api")
        return 201, resource_body

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body go out in two writes; with Nagle's algorithm the
            # body would wait for the client's delayed ACK (40 ms on Linux) every time.
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:  # quiet
                return

            def _send(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 (the name BaseHTTPRequestHandler calls)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                form = {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}
                match = _PATH.match(self.path.split("?")[0])
                if not match:
                    self._send(
                        404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
                    )
                    return
                if not self._authorised(match.group("account")):
                    self._send(401, _error(Scripted(401, 20003), ""))
                    return
                low, high = fake.delay
                if high:
                    time.sleep(random.uniform(low, high))
                status, payload = fake._answer(match.group("resource"), form)
                with fake._lock:
                    hang = fake._hangs.pop(0) if fake._hangs and status == 201 else 0.0
                    received = Received(
                        resource=match.group("resource"),
                        to=form.get("To", ""),
                        sender=form.get("From") or form.get("MessagingServiceSid"),
                        body=form.get("Body"),
                        url=form.get("Url"),
                        status_callback=form.get("StatusCallback"),
                        sid=payload.get("sid") if status == 201 else None,
                        status=status,
                    )
                    fake.received.append(received)
                if status == 201 and fake.on_accepted is not None:
                    fake.on_accepted(received)
                if hang:
                    time.sleep(hang)
                if fake.verbose:
                    what = "SMS" if match.group("resource") == "Messages" else "call"
                    print(
                        f"{status} {what} to {form.get('To')}: {form.get('Body') or form.get('Url')}",
                        flush=True,
                    )
                self._send(status, payload)

            def _authorised(self, account: str) -> bool:
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return False
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                return (
                    account == fake.account_sid and user == fake.account_sid and password == fake.auth_token
                )

        return Handler


def _error(scripted: Scripted, to: str) -> dict:
    code = scripted.code
    fallback = {503: "Service Unavailable"}.get(scripted.status, "Internal Server Error")
    message = ERROR_MESSAGES.get(code or 0, fallback if scripted.status >= 500 else "Error")
    return {
        "code": code,
        "message": message.format(to=to),
        "more_info": f"https://www.twilio.com/docs/errors/{code}" if code else None,
        "status": scripted.status,
    }


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for a webhook to ``url``."""
    return RequestValidator(token).compute_signature(url, params)


def summary(fake: FakeTwilio) -> str:
    """One line on what was received, printed when the server stops (benchmarks read it)."""
    with fake._lock:
        received = list(fake.received)
    counts = fake.count_by_number()
    window = received[-1].at - received[0].at if received else 0.0
    return (
        f"received {len(received)} requests, {sum(counts.values())} accepted, to {len(counts)} numbers, "
        f"{sum(1 for times in counts.values() if times > 1)} more than once, "
        f"first to last {window:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8099, help="0 for any free port (printed)")
    parser.add_argument("--delay", default="0", help="response delay in ms, e.g. 50-150")
    parser.add_argument("--quiet", action="store_true", help="do not print each request")
    args = parser.parse_args()
    low, _, high = args.delay.partition("-")
    fake = FakeTwilio(port=args.port)
    fake.delay = (float(low) / 1000, float(high or low) / 1000)
    fake.verbose = not args.quiet
    print(f"Fake Twilio on {fake.base_url} (account {fake.account_sid}, token {fake.auth_token})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        fake.server.serve_forever()
    print(summary(fake), flush=True)


if __name__ == "__main__":
    main()
