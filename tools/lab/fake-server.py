"""The lab's stand-in for aliyun.com (and for every other name the lab's DNS points at it).

Answers every request as aliyun.com answers plain HTTP (301 to https://<host>/), plus a header carrying this run's
nonce so a test can tell this server's answer from any other. Appends one JSON line per request to the log: the
peer address the connection came from and the Host asked for.

Usage: fake-server.py <address> <port> <log file> <nonce>
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADDRESS, PORT, LOG, NONCE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, with_body):
        host = self.headers.get("Host", "")
        with open(LOG, "a", encoding="utf-8") as log:
            record = {"peer": self.client_address[0], "host": host, "method": self.command, "path": self.path}
            log.write(json.dumps(record) + "\n")
        body = b"<html><body>301 Moved Permanently</body></html>\n"
        self.send_response(301)
        self.send_header("Location", f"https://{host.split(':')[0]}/")
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Lab-Answer", NONCE)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_HEAD(self):
        self.answer(with_body=False)

    def do_GET(self):
        self.answer(with_body=True)

    def log_message(self, *args):
        pass  # the JSON log above is the record


ThreadingHTTPServer((ADDRESS, PORT), Handler).serve_forever()
