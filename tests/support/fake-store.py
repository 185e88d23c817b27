#!/usr/bin/env python3
"""fake-store.py: a stand-in for cati-store over HTTPS on 127.0.0.1 that answers a request with a
fault when the test asks for one, to drive the workstation's one HTTP client through every answer.

usage: fake-store.py CERT KEY FAULTFILE LOGFILE
Prints "listening on https://127.0.0.1:PORT" once it serves. Every request is appended to LOGFILE
as "METHOD PATH". FAULTFILE holds "KIND METHOD PATH" (read at each request; empty: no fault); a
request whose method and path (without the query) match gets KIND instead of the normal answer:
  NNN      that HTTP status, with {"error": "fault NNN"} (409: and the lock's holder, as the store)
  garbage  500 with a body that is not JSON
  huge     200 with a 65 MiB body (over the client's ceiling), its length said
  hugechunked  the same in chunks, its length not said
  nothttp  bytes that are not HTTP at all, then the connection closes
  drop     the connection closes with no answer
  slow:S   the normal answer after S seconds
The normal answers: a token for POST /v1/login, 405 for GET /v1/login (enroll's probe), {} to
/v1/workstations, a lock held for 10 minutes by "ann" to /v1/lock, every pushed record stored,
an empty pull and an empty report.
"""
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CERT, KEY, FAULTS, LOG = sys.argv[1:5]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, obj, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def normal(self, method, path, body):
        if method == "POST" and path == "/v1/login":
            return self.send(200, {"token": "ab" * 32})
        if method == "GET" and path == "/v1/login":
            return self.send(405, {"error": "use POST"})
        if path == "/v1/workstations":
            return self.send(200, {})
        if path == "/v1/lock":
            return self.send(200, {"user": "ann", "until": int(time.time()) + 600})
        if path == "/v1/push":
            records = json.loads(body or b"{}").get("records", [])
            return self.send(200, {"results": [{"uuid": r.get("uuid"), "status": 200} for r in records]})
        if path == "/v1/pull":
            return self.send(200, {"cursor": 0})
        if path == "/v1/report":
            return self.send(200, {"study": "demo", "totals": {}})
        return self.send(404, {"error": "no such thing here"})

    def handle_any(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path = self.path.split("?", 1)[0]
        with lock:
            with open(LOG, "a") as f:
                f.write("%s %s\n" % (method, path))
        try:
            with open(FAULTS) as f:
                kind, fm, fp = (f.read().split() + ["", "", ""])[:3]
        except OSError:
            kind = fm = fp = ""
        if not kind or fm != method or fp != path:
            return self.normal(method, path, body)
        if kind == "409":   # as the store answers a lock another workstation holds
            return self.send(409, {"error": "fault 409", "user": "ann", "until": int(time.time()) + 600})
        if kind.isdigit():
            return self.send(int(kind), {"error": "fault " + kind})
        if kind == "garbage":
            return self.send(500, None, b"<html>the proxy fell over</html>")
        if kind == "huge":
            size = 65 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"x" * (1024 * 1024)
            try:
                for _ in range(65):
                    self.wfile.write(chunk)
            except OSError:
                pass   # the client stopped at its ceiling
            self.close_connection = True
            return None
        if kind == "hugechunked":   # no length said: the client finds out as it reads
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"%x\r\n" % (1024 * 1024) + b"x" * (1024 * 1024) + b"\r\n"
            try:
                for _ in range(65):
                    self.wfile.write(chunk)
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            self.close_connection = True
            return None
        if kind == "nothttp":
            self.wfile.write(b"garbage, not HTTP\r\n\r\n")
            self.close_connection = True
            return None
        if kind == "drop":
            self.close_connection = True
            return None
        if kind.startswith("slow:"):
            time.sleep(float(kind[5:]))
            return self.normal(method, path, body)
        return self.send(500, {"error": "unknown fault " + kind})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("listening on https://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
