"""A TCP proxy on loopback that can cut the way to a server: the tests' stand-in for a network
outage between Steady and PostgreSQL.

`cut()` drops every connection it carries and refuses new ones (each is accepted and closed at
once, as a host whose server went away does) until `restore()`. `stall()` keeps every
connection open but passes nothing on, either way, until `restore()`: a server or a box between
that has frozen, acknowledging what it is sent and answering nothing.

Threads, not asyncio: the tests that use it are synchronous, and a server process talks through
it from outside."""

import contextlib
import socket
import struct
import threading
from types import TracebackType


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._stalled = False
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._thread.start()

    def url_for(self, database_url: str) -> str:
        """The same PostgreSQL URL, through the proxy."""
        host = f"{self.target[0]}:{self.target[1]}"
        assert host in database_url, (host, database_url)
        return database_url.replace(host, f"127.0.0.1:{self.port}", 1)

    def cut(self) -> None:
        """Drops every connection now and refuses new ones until restore()."""
        with self._lock:
            self._cut = True
            dropping, self._open = self._open, set()
        for sock in dropping:
            _drop(sock)

    def stall(self) -> None:
        self._stalled = True

    def restore(self) -> None:
        with self._lock:
            self._cut = False
        self._stalled = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._listener.close()

    def __enter__(self) -> "TcpProxy":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refused = self._cut
            if refused:
                _drop(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _drop(client)
                continue
            server.settimeout(None)
            with self._lock:
                if self._cut:  # cut while connecting
                    _drop(client)
                    _drop(server)
                    continue
                self._open |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self._stalled:  # stalled: swallowed
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open -= {source, sink}
            _drop(source)
            _drop(sink)


def _drop(sock: socket.socket) -> None:
    """Closes at once with a reset, as a connection lost to a failed host ends; shutting it
    down first wakes the thread blocked reading it."""
    for end in (
        lambda: sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)),
        lambda: sock.shutdown(socket.SHUT_RDWR),
        sock.close,
    ):
        with contextlib.suppress(OSError):
            end()
