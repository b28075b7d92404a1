#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for the archway-observed bench variant.

Answers every POST /v1/traces with 200 and an empty JSON object, and counts
the spans it was sent (a line per request with its span count in
SPANS_FILE), so the bench can say that it measured a proxy that exported.

    otlp_sink.py PORT SPANS_FILE
"""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        spans = 0
        try:
            for rs in json.loads(body).get("resourceSpans", []):
                for ss in rs.get("scopeSpans", []):
                    spans += len(ss.get("spans", []))
        except ValueError:
            pass
        with open(SPANS_FILE, "a") as out:
            out.write(f"{spans}\n")
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    SPANS_FILE = sys.argv[2]
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
