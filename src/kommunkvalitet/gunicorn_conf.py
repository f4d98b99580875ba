"""gunicorn settings of ``kommunkvalitet serve`` (``-c python:kommunkvalitet.gunicorn_conf``).

Timeouts on reading a request and on sending the answer, which gunicorn's threaded workers do not have
themselves: the listening sockets get ``SO_RCVTIMEO`` and ``SO_SNDTIMEO``, which every accepted
connection inherits (Linux, macOS), so a client that sends nothing for :data:`READ_TIMEOUT` seconds in
the middle of its request, or reads nothing of the answer for :data:`SEND_TIMEOUT` seconds, is cut off
and its thread freed. (A client that trickles one byte now and then is bounded by the request size
limits only: a public server still belongs behind nginx or Caddy, docs/deploy.md.)
"""

from __future__ import annotations

import socket
import struct

READ_TIMEOUT = 10  # seconds without a byte of the request
SEND_TIMEOUT = 30  # seconds without the client reading a byte of the answer


def _timeval(seconds: int) -> bytes:
    return struct.pack("ll", seconds, 0)


def when_ready(server) -> None:
    """gunicorn's hook, in the arbiter, after it has bound the listeners and before the workers start."""
    for listener in server.LISTENERS:
        sock = listener.sock
        if sock.family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(READ_TIMEOUT))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(SEND_TIMEOUT))
