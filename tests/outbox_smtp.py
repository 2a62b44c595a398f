"""A real SMTP server in the test process (aiosmtpd), that keeps what it receives, can be
stopped and started again on its port (an outage), or refuse every message (451)."""

import email
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the server accepted, in order."""

    received: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "451 4.3.0 mail server busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=default)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str, subject_starts: str = "") -> list[EmailMessage]:
        return [
            m
            for m in self.received
            if m["To"] == address and str(m["Subject"]).startswith(subject_starts)
        ]

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.received]


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
