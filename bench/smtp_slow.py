"""An SMTP server that takes a fixed time per message (aiosmtpd on loopback), for the mail benchmarks.

    .venv/bin/python bench/smtp_slow.py [--port 2525] [--delay-ms 50]

runs it in the foreground (Ctrl-C stops it) and prints what it receives. From a benchmark:

    from bench.smtp_slow import SlowSMTPServer

    with SlowSMTPServer(delay=0.050) as smtp:
        ...  # EMAIL_HOST=127.0.0.1, EMAIL_PORT=smtp.port
        print(smtp.count)

The delay is spent in DATA, after the whole message arrived and before the 250: what a relay doing content
checks and a synchronous queue write costs. A real relay with TLS is slower still (PERFORMANCE-NOTES.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import threading
from typing import Any

from aiosmtpd.controller import Controller

DEFAULT_DELAY = 0.050


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SlowHandler:
    def __init__(self, delay: float, verbose: bool = False) -> None:
        self.delay = delay
        self.verbose = verbose
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        with self._lock:
            self.count += 1
            count = self.count
        if self.verbose:
            print(f"#{count} {envelope.mail_from} → {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


class SlowSMTPServer:
    """`with SlowSMTPServer(delay=0.05) as smtp:` — listening on 127.0.0.1:`smtp.port`."""

    def __init__(self, delay: float = DEFAULT_DELAY, port: int | None = None, verbose: bool = False) -> None:
        self.port = port or free_port()
        self.handler = SlowHandler(delay, verbose)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def count(self) -> int:
        return self.handler.count

    def settings(self) -> dict[str, Any]:
        """Django settings that send here (for `override_settings(**smtp.settings())`)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": 10,
        }

    def __enter__(self) -> SlowSMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--delay-ms", type=float, default=DEFAULT_DELAY * 1000)
    args = parser.parse_args()
    with SlowSMTPServer(delay=args.delay_ms / 1000, port=args.port, verbose=True) as smtp:
        print(f"SMTP on 127.0.0.1:{smtp.port}, {args.delay_ms:g} ms per message; Ctrl-C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
