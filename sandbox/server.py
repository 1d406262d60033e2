"""HTTP transport: a quiet keep-alive ThreadingHTTPServer bound to 127.0.0.1."""

import re
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20
_HOST_OK = re.compile(r"^[A-Za-z0-9.\-:\[\]]{1,255}$")
_QUIET = (ConnectionError, TimeoutError, socket.timeout, OSError)
# What the app answers for a request the stall switch holds: the connection stays open and is never answered.
STALLED = object()
# How long a stalled request is held at most (the sandbox stopping ends it sooner).
STALL_SECONDS = 600


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False  # keep-alive threads block in recv; never join them on close
    request_queue_size = 512

    def __init__(self, address, app):
        self.app = app
        self._conns = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, Handler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def track(self, conn, add):
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def close_connections(self):
        """Hang up idle keep-alive connections so their threads end with stop()."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], _QUIET):
            return  # clients going away is normal
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AnalyticsSandbox/1.0"
    sys_version = ""
    timeout = 300  # an idle keep-alive connection releases its thread eventually
    disable_nagle_algorithm = True  # small responses otherwise stall ~40 ms on delayed ACKs

    def setup(self):
        super().setup()
        self.server.track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        except _QUIET:
            pass
        finally:
            self.server.track(self.connection, False)

    def handle(self):
        try:
            super().handle()
        except _QUIET:
            self.close_connection = True

    def log_message(self, format, *args):
        pass

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, size = [], 0
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                size += n
                if size > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(n))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _dispatch(self):
        path, _, query = self.path.partition("?")
        if "://" in path:  # absolute-form request target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._write(400, b'{"error":"invalid_request"}', "application/json", [])
            return
        host = self.headers.get("Host") or ""
        base = f"http://{host}" if _HOST_OK.match(host) else self.server.app.url
        try:
            resp = self.server.app.handle(self.command, path, query, self.headers, body, base)
        except Exception:  # a sandbox bug must still produce an answer, with the traceback on stderr
            import traceback
            traceback.print_exc()
            self._write(500, b'{"error":"sandbox internal error"}', "application/json", [])
            return
        if resp is STALLED:
            # Accepted and never answered, as a stuck upstream does; the client's read timeout has to end it.
            self.server.app.stopping.wait(STALL_SECONDS)
            self.close_connection = True
            return
        self._write(resp.status, resp.body, resp.content_type, resp.headers)

    def _write(self, status, body, content_type, headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        # one write for headers and body: fewer syscalls, no partial-packet stalls
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body)
        self.flush_headers()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch
