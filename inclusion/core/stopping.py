"""Stopping the long-running commands (``flask scheduler``, ``flask dispatch``) gently.

systemd and ``docker stop`` ask a process to stop with SIGTERM, a person with Ctrl+C
(SIGINT). Python's defaults kill it on SIGTERM wherever it is, and raise
KeyboardInterrupt on SIGINT wherever it is; in the middle of sending, either leaves
messages in doubt. Here the signal only sets an event, and the work looks at it where
stopping is safe.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set when the process is asked to stop, for the length of the block.

    Only the first signal is caught: a second one (Ctrl+C pressed again, ``kill`` sent
    twice) finds the handlers as they were and stops the process at once, as before.
    The handlers as they were come back when the block ends, too (a test's process
    keeps its own). Signals reach only the main thread, so elsewhere nothing is caught.

    The handler only sets the event: it runs in the main thread between two of its
    steps, and anything that takes a lock there could wait for ever on a lock that very
    thread holds. So the main thread must never ``wait()`` on the event itself; it
    looks at ``is_set()``, which takes no lock."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {number: signal.getsignal(number) or signal.SIG_DFL for number in STOP_SIGNALS}

    def ask_to_stop(number: int, _frame) -> None:
        stop.set()
        for each, handler in previous.items():
            signal.signal(each, handler)

    for number in STOP_SIGNALS:
        signal.signal(number, ask_to_stop)
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
