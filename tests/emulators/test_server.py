"""The shared emulator server holds many connections as a real server does.

A client that opens one connection per table (the Appwrite CLI pushes every table at once) must not
see connections refused or reset that no real server would cause: the listen queue takes a burst,
and each connection stays open for the next request (HTTP/1.1 keep-alive).
"""

from __future__ import annotations

import http.client
import socket
import threading

from tests.emulators.server import Emulator, _make_server

BURST = 200


class _Echo(Emulator):
    name = "echo"

    def __init__(self) -> None:
        super().__init__()
        self.route("GET", "/ping", lambda request: {"path": request.path})


def _get(conn: socket.socket) -> bytes:
    conn.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    response = http.client.HTTPResponse(conn)
    response.begin()
    assert response.status == 200
    assert not response.will_close  # the server keeps the connection for the next request
    return response.read()


def test_a_burst_of_connections_queues_until_the_server_accepts_them() -> None:
    server = _make_server(_Echo(), 0)
    port = server.server_address[1]
    conns: list[socket.socket] = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        # the server accepts nothing yet (a busy accept loop): every connection must still be queued
        for _ in range(BURST):
            conns.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        thread.start()
        for conn in conns:
            assert _get(conn) == b'{"path": "/ping"}'
        for conn in conns[:10]:  # the same connections answer again (keep-alive)
            assert _get(conn) == b'{"path": "/ping"}'
    finally:
        for conn in conns:
            conn.close()
        if thread.is_alive():
            server.shutdown()
        server.server_close()

