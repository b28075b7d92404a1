#!/usr/bin/env python3
"""A stand-in RFC 7662 endpoint for the archway-introspect bench variant.

Every token is active with the scope the bench route requires and an `exp`
a day away, so the proxy asks once and then answers from its cache for the
whole run. Each call is appended to CALLS_FILE (one line per call): the
bench checks that the endpoint was asked once, i.e. that it measured cache
hits and not calls.

    introspection_endpoint.py PORT CALLS_FILE
"""
import http.server
import json
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        with open(CALLS_FILE, "a") as calls:
            calls.write("call\n")
        body = json.dumps({"active": True, "scope": "orders:read", "sub": "bench",
                           "aud": ["orders"], "exp": int(time.time()) + 86400}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    PORT, CALLS_FILE = int(sys.argv[1]), sys.argv[2]
    http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
