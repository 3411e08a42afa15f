"""Virus scanning through clamd's INSTREAM command, when a clamd is configured.

The `clamd` package on PyPI has not been released since 2019, so this is a small
client of the documented protocol (clamd(8), "INSTREAM"): send `zINSTREAM\\0`, then the
file as chunks each prefixed by its length (4 bytes, network order), then a zero
length; clamd answers `stream: OK`, `stream: <signature> FOUND` or `... ERROR`.
Scanning fails closed: a scanner that cannot be reached refuses the upload.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

CHUNK_SIZE = 64 * 1024
REPLY_LIMIT = 4096


class ScanUnavailable(Exception):
    """clamd could not be reached or did not give an answer."""


@dataclass(frozen=True)
class ScanOutcome:
    is_clean: bool
    signature: str = ""


def is_configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    try:
        if settings.CLAMD_SOCKET:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(timeout)
            connection.connect(settings.CLAMD_SOCKET)
            return connection
        return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout)
    except OSError as error:
        raise ScanUnavailable(f"the virus scanner could not be reached ({error})") from error


def parse_reply(reply: bytes) -> ScanOutcome:
    text = reply.rstrip(b"\0\n").decode("utf-8", errors="replace").strip()
    if text.endswith("FOUND"):
        # "stream: Eicar-Test-Signature FOUND"
        signature = text.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanOutcome(is_clean=False, signature=signature or "unknown")
    if text == "stream: OK":
        return ScanOutcome(is_clean=True)
    raise ScanUnavailable(f"the virus scanner answered {text[:200]!r}")


def scan_chunks(chunks: Iterable[bytes]) -> ScanOutcome:
    """Stream the chunks to clamd and return its verdict (ScanUnavailable if it gives none)."""
    with _connect() as connection:
        try:
            connection.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_SIZE):
                    piece = chunk[start : start + CHUNK_SIZE]
                    connection.sendall(struct.pack("!L", len(piece)) + piece)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < REPLY_LIMIT:
                data = connection.recv(1024)
                if not data:
                    break
                reply += data
        except OSError as error:
            # clamd closes the connection when the stream passes its StreamMaxLength.
            raise ScanUnavailable(f"the virus scanner stopped answering ({error})") from error
    return parse_reply(reply)
