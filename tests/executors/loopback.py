"""A scripted HTTP/1.1 server on 127.0.0.1 for transport tests and benchmarks.

Each path gets a script of behaviours, used one per request in order (the last repeats).
A behaviour receives the parsed request and a :class:`Wire` to answer on, so it can act
like a real server or a broken network: answer, stream chunks with pauses, stop mid-body,
reset the connection. The server listens on an ephemeral port, serves each connection
(keep-alive included) in a daemon thread, stops when its ``with`` block ends and, whatever
happens, after ``lifetime`` seconds.

    with Loopback() as server:
        server.route("/v1/x", respond(503), json_reply({"ok": True}))
        ...  # send requests to server.url + "/v1/x"
        assert server.hits("/v1/x") == 2
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO, Literal

import attrs

Pairs = tuple[tuple[str, str], ...]


@attrs.frozen(kw_only=True)
class Received:
    """A request as the server read it (header names lowercase, chunked bodies decoded)."""

    method: str
    target: str
    headers: Pairs
    body: bytes
    chunked: bool = False
    #: Which connection carried it: equal numbers mean a kept-alive connection was reused.
    connection: int = 0

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name.lower()]
        return values[-1] if values else None


class Wire:
    """The server's side of one connection, for a behaviour to answer on."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self.open = True
        self._stopping = stopping

    def head(self, status: int, headers: Iterable[tuple[str, str]] = (), reason: str = "") -> None:
        """Status line and headers."""
        lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in headers]
        self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def write(self, data: bytes) -> None:
        """Raw bytes, as they are."""
        self.sock.sendall(data)

    def chunk(self, data: bytes) -> None:
        """One chunk of a ``Transfer-Encoding: chunked`` body."""
        if data:
            self.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def end_chunks(self) -> None:
        """The last chunk of a chunked body."""
        self.write(b"0\r\n\r\n")

    def pause(self, seconds: float) -> None:
        """Wait, returning early if the server stops."""
        self._stopping.wait(seconds)

    def close(self) -> None:
        """Close the connection cleanly (FIN)."""
        if self.open:
            self.open = False
            _quietly(lambda: self.sock.shutdown(socket.SHUT_RDWR))
            self.sock.close()

    def reset(self) -> None:
        """Abort the connection (RST): the peer sees "connection reset"."""
        if self.open:
            self.open = False
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()


Behaviour = Callable[[Received, Wire], None]
Step = Callable[[Wire], None]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other"}
_REASONS |= {307: "Temporary Redirect", 308: "Permanent Redirect", 404: "Not Found"}
_REASONS |= {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class Loopback:
    """The server. Use it as a context manager; :attr:`url` is its base URL."""

    def __init__(self, *, lifetime: float = 60.0, io_timeout: float = 10.0) -> None:
        self.lifetime = lifetime
        self.io_timeout = io_timeout
        self.received: list[Received] = []
        self._scripts: dict[str, list[Behaviour]] = {}
        self._hits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._connections: dict[int, socket.socket] = {}
        self._ids = itertools.count(1)
        self._thread = threading.Thread(target=self._serve, name="loopback", daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    def __enter__(self) -> Loopback:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start serving (and the clock of its lifetime)."""
        self._thread.start()
        self._timer.start()

    def stop(self) -> None:
        """Stop serving and drop every open connection."""
        self._stopping.set()
        self._timer.cancel()
        with self._lock:
            open_now = list(self._connections.values())
        for conn in open_now:
            with contextlib.suppress(OSError):  # already closed by its own thread
                conn.shutdown(socket.SHUT_RDWR)
        if threading.current_thread() is not self._thread and self._thread.is_alive():
            self._thread.join(timeout=5)
        self._listener.close()

    def route(self, path: str, *script: Behaviour) -> None:
        """Answer requests to ``path`` with ``script``, in order; the last one repeats."""
        with self._lock:
            self._scripts[path] = list(script)
            self._hits[path] = 0

    def hits(self, path: str) -> int:
        """How many requests to ``path`` arrived since it was routed."""
        with self._lock:
            return self._hits.get(path, 0)

    def requests_to(self, path: str) -> list[Received]:
        """The requests to ``path``, in arrival order."""
        with self._lock:
            return [r for r in self.received if r.path == path]

    def _behaviour(self, received: Received) -> Behaviour:
        with self._lock:
            self.received.append(received)
            script = self._scripts.get(received.path)
            count = self._hits.get(received.path, 0)
            self._hits[received.path] = count + 1
        if not script:
            body = {"error": {"message": f"no route for {received.path}"}}
            return json_reply(body, status=404)
        return script[min(count, len(script) - 1)]

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            ident = next(self._ids)
            with self._lock:
                self._connections[ident] = conn
            worker = threading.Thread(
                target=self._connection, args=(conn, ident), name=f"loopback-{ident}", daemon=True
            )
            worker.start()

    def _connection(self, conn: socket.socket, ident: int) -> None:
        conn.settimeout(self.io_timeout)
        wire = Wire(conn, self._stopping)
        reader = conn.makefile("rb")
        try:
            while wire.open and not self._stopping.is_set():
                received = _read_request(reader, ident)
                if received is None:
                    break
                self._behaviour(received)(received, wire)
                if (received.header("connection") or "").lower() == "close":
                    break
        except (OSError, ValueError):
            pass  # the client went away, or sent what this server does not parse
        finally:
            reader.close()
            if wire.open:
                wire.close()
            with self._lock:
                self._connections.pop(ident, None)


def _quietly(action: Callable[[], object]) -> None:
    with contextlib.suppress(OSError):
        action()


def _read_request(reader: BinaryIO, ident: int) -> Received | None:
    readline, read = reader.readline, reader.read
    line = readline(65537)
    while line in (b"\r\n", b"\n"):
        line = readline(65537)
    if not line:
        return None
    method, target, _version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        raw = readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip().lower(), value.strip()))
    fields = dict(headers)
    chunked = "chunked" in fields.get("transfer-encoding", "").lower()
    if chunked:
        parts: list[bytes] = []
        while True:
            size = int(readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            parts.append(read(size))
            readline(3)
        body = b"".join(parts)
    else:
        body = read(int(fields.get("content-length", "0")))
    return Received(
        method=method,
        target=target,
        headers=tuple(headers),
        body=body,
        chunked=chunked,
        connection=ident,
    )


# --- behaviours ---------------------------------------------------------------------------


def respond(
    status: int = 200,
    body: bytes = b"",
    *,
    headers: Sequence[tuple[str, str]] = (),
    content_type: str = "application/json",
) -> Behaviour:
    """A complete response with a Content-Length."""

    def behave(_: Received, wire: Wire) -> None:
        wire.head(
            status,
            [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers],
        )
        wire.write(body)

    return behave


def json_reply(
    payload: object, *, status: int = 200, headers: Sequence[tuple[str, str]] = ()
) -> Behaviour:
    """A JSON response."""
    return respond(status, json.dumps(payload).encode(), headers=headers)


def gzip_reply(payload: object, *, status: int = 200) -> Behaviour:
    """A JSON response sent with ``Content-Encoding: gzip``."""
    body = gzip.compress(json.dumps(payload).encode())
    return respond(status, body, headers=[("Content-Encoding", "gzip")])


def echo() -> Behaviour:
    """A JSON description of the request: method, target, headers, body length."""

    def behave(received: Received, wire: Wire) -> None:
        payload = {
            "method": received.method,
            "target": received.target,
            "headers": dict(received.headers),
            "body_length": len(received.body),
        }
        json_reply(payload)(received, wire)

    return behave


def redirect(location: str, *, status: int = 307) -> Behaviour:
    """A redirect to ``location`` (absolute, or relative to this server)."""
    return respond(status, b"", headers=[("Location", location)])


def reset() -> Behaviour:
    """Read the request, then reset the connection before sending any byte."""

    def behave(_: Received, wire: Wire) -> None:
        wire.reset()

    return behave


def slow(delay: float, then: Behaviour) -> Behaviour:
    """Wait ``delay`` seconds before behaving like ``then``."""

    def behave(received: Received, wire: Wire) -> None:
        wire.pause(delay)
        then(received, wire)

    return behave


def cut_short(sent: bytes, *, declared: int, end: Literal["close", "reset"] = "close") -> Behaviour:
    """Announce ``declared`` bytes, send only ``sent``, then drop the connection."""

    def behave(_: Received, wire: Wire) -> None:
        wire.head(200, [("Content-Type", "application/json"), ("Content-Length", str(declared))])
        wire.write(sent)
        wire.pause(0.05)
        if end == "close":
            wire.close()
        else:
            wire.reset()

    return behave


def stream(
    pieces: Sequence[bytes | Step],
    *,
    status: int = 200,
    headers: Sequence[tuple[str, str]] = (),
    content_type: str = "text/event-stream",
    framing: Literal["chunked", "close"] = "chunked",
    delay: float = 0.0,
    end: Literal["clean", "close", "reset"] = "clean",
) -> Behaviour:
    """A body written piece by piece, ``delay`` seconds apart, each piece flushed at once.

    ``framing="chunked"`` sends each piece as one chunk; ``"close"`` sends no length at
    all, the end being the connection's close. A callable piece runs in between (to wait
    for the client, say). ``end="close"``/``"reset"`` drops the connection before the end
    of the body is framed: the body is cut short.
    """

    def behave(_: Received, wire: Wire) -> None:
        framing_header = (
            ("Transfer-Encoding", "chunked") if framing == "chunked" else ("Connection", "close")
        )
        wire.head(
            status,
            [
                ("Content-Type", content_type),
                ("Cache-Control", "no-cache"),
                framing_header,
                *headers,
            ],
        )
        for index, piece in enumerate(pieces):
            if index and delay:
                wire.pause(delay)
            if callable(piece):
                piece(wire)
            elif framing == "chunked":
                wire.chunk(piece)
            else:
                wire.write(piece)
        if end == "reset":
            wire.pause(0.05)
            wire.reset()
            return
        if end == "clean" and framing == "chunked":
            wire.end_chunks()
            return
        wire.pause(0.05)
        wire.close()

    return behave


def sse_event(payload: object) -> bytes:
    """One server-sent event carrying ``payload`` (JSON, or a string as it is)."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()
