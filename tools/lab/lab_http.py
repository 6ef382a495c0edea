"""What the lab's HTTP servers share: one JSON line per request in a log file, and answers that carry the run's nonce.

A server subclasses LabHandler, sets LOG and NONCE, and writes answer(with_body); GET and HEAD both go through it.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler

_LOCK = threading.Lock()


def append_record(log_path, entry):
    with _LOCK, open(log_path, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


class LabHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    LOG = ""
    NONCE = ""

    def record(self, entry):
        append_record(self.LOG, entry)

    def reply(self, status, body, headers, with_body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Lab-Answer", self.NONCE)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def answer(self, with_body):
        raise NotImplementedError

    def do_HEAD(self):
        self.answer(with_body=False)

    def do_GET(self):
        self.answer(with_body=True)

    def log_message(self, *args):
        pass  # the JSON log is the record
