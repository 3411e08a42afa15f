"""Virus scanning: the INSTREAM client against a fake clamd, and uploads with a scanner set."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from documents import scanner
from documents.models import Document, DocumentVersion
from tests.documents import samples
from tests.documents.conftest import stored_files

SIGNATURE = b"X5O!P%@AP"


class FakeClamd:
    """Speaks clamd's INSTREAM protocol: reads the length-prefixed chunks, answers a verdict."""

    def __init__(self, listener: socket.socket, *, answer: bytes | None = None) -> None:
        self.listener = listener
        self.answer = answer
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_exactly(self, connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            more = connection.recv(size - len(data))
            if not more:
                raise ConnectionError("closed early")
            data += more
        return data

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                command = b""
                while not command.endswith(b"\0"):
                    command += connection.recv(1)
                self.commands.append(command)
                stream = b""
                while True:
                    (length,) = struct.unpack("!L", self._read_exactly(connection, 4))
                    if length == 0:
                        break
                    stream += self._read_exactly(connection, length)
                self.received.append(stream)
                if self.answer is not None:
                    verdict = self.answer
                elif SIGNATURE in stream:
                    verdict = b"stream: Eicar-Test-Signature FOUND"
                else:
                    verdict = b"stream: OK"
                connection.sendall(verdict + b"\0")


@pytest.fixture
def clamd_unix(tmp_path: Path, settings: Any) -> Iterator[FakeClamd]:
    path = str(tmp_path / "clamd.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(4)
    settings.CLAMD_SOCKET = path
    settings.CLAMD_TIMEOUT_SECONDS = 5
    yield FakeClamd(listener)
    listener.close()


@pytest.fixture
def clamd_tcp(settings: Any) -> Iterator[Callable[..., FakeClamd]]:
    listeners: list[socket.socket] = []

    def start(answer: bytes | None = None) -> FakeClamd:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listeners.append(listener)
        settings.CLAMD_HOST = "127.0.0.1"
        settings.CLAMD_PORT = listener.getsockname()[1]
        settings.CLAMD_TIMEOUT_SECONDS = 5
        return FakeClamd(listener, answer=answer)

    yield start
    for listener in listeners:
        listener.close()


def test_a_clean_stream_is_sent_whole_in_chunks(clamd_unix: FakeClamd) -> None:
    data = bytes(range(256)) * 1000  # more than one chunk

    outcome = scanner.scan_chunks([data[:100_000], data[100_000:]])

    assert outcome == scanner.ScanOutcome(is_clean=True)
    assert clamd_unix.commands == [b"zINSTREAM\0"]
    assert clamd_unix.received == [data]


def test_an_infected_stream_names_the_signature(clamd_unix: FakeClamd) -> None:
    outcome = scanner.scan_chunks([samples.EICAR])

    assert outcome == scanner.ScanOutcome(is_clean=False, signature="Eicar-Test-Signature")


def test_tcp_and_an_error_answer(clamd_tcp: Callable[..., FakeClamd]) -> None:
    clamd_tcp(answer=b"INSTREAM size limit exceeded. ERROR")

    with pytest.raises(scanner.ScanUnavailable, match="size limit"):
        scanner.scan_chunks([b"data"])


def test_no_scanner_listening_is_unavailable(settings: Any, tmp_path: Path) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-here.sock")

    with pytest.raises(scanner.ScanUnavailable):
        scanner.scan_chunks([b"data"])


def test_reply_parsing() -> None:
    assert scanner.parse_reply(b"stream: OK\0").is_clean
    assert scanner.parse_reply(b"stream: Win.Trojan.Agent-1 FOUND\0").signature == (
        "Win.Trojan.Agent-1"
    )
    with pytest.raises(scanner.ScanUnavailable):
        scanner.parse_reply(b"")


@pytest.mark.django_db
def test_uploads_are_scanned_and_recorded_clean(
    clamd_unix: FakeClamd, upload: Callable[..., Any]
) -> None:
    response = upload(("letter.pdf", samples.pdf()))

    assert response.status_code == 302
    assert DocumentVersion.objects.get().scan_result == DocumentVersion.ScanResult.CLEAN
    assert clamd_unix.received == [samples.pdf()]


@pytest.mark.django_db
def test_an_infected_upload_is_refused_and_nothing_is_stored(
    clamd_unix: FakeClamd, upload: Callable[..., Any], document_folder: Path
) -> None:
    response = upload(("clean.txt", b"fine"), ("eicar.txt", samples.EICAR))

    assert response.status_code == 400
    assert "eicar.txt cannot be uploaded because a virus was found in it" in (
        response.content.decode()
    )
    assert Document.objects.count() == 0
    assert stored_files(document_folder) == []


@pytest.mark.django_db
def test_an_unreachable_scanner_refuses_the_upload(
    settings: Any, tmp_path: Path, upload: Callable[..., Any]
) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "down.sock")

    response = upload(("letter.pdf", samples.pdf()))

    assert "could not be checked for viruses" in response.content.decode()
    assert Document.objects.count() == 0


def test_scanning_is_off_when_not_configured(settings: Any) -> None:
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""

    assert scanner.is_configured() is False
