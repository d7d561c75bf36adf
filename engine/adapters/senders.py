"""Notification senders: where ``notification_outbox`` rows go (chosen by IMPRESA_NOTIFY).

``console`` logs them (the default for ``make run``), ``file:PATH`` appends JSON lines (handy in
development and tests), ``smtp://host:port`` sends email to the address in the user's name when
it contains an ``@`` (a directory lookup would plug in here).
"""

from __future__ import annotations

import json
import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path

log = logging.getLogger("impresa.notifications")


class ConsoleSender:
    def send(self, recipient: str, subject: str, body: str) -> None:
        log.info("notification to %s: %s — %s", recipient, subject, body)


class FileSender:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, recipient: str, subject: str, body: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"to": recipient, "subject": subject, "body": body}, ensure_ascii=False) + "\n")


class SmtpSender:
    def __init__(self, host: str, port: int, sender: str = "impresa-per-noi@localhost") -> None:
        self.host, self.port, self.sender = host, port, sender

    def send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, recipient, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(message)


def sender_from_setting(setting: str) -> ConsoleSender | FileSender | SmtpSender:
    if setting.startswith("file:"):
        return FileSender(Path(setting.removeprefix("file:")))
    if setting.startswith("smtp://"):
        host, _, port = setting.removeprefix("smtp://").partition(":")
        return SmtpSender(host, int(port or 25))
    return ConsoleSender()
