"""The lab's stand-in for aliyun.com (and for every other name the lab's DNS points at it).

Answers every request as aliyun.com answers plain HTTP (301 to https://<host>/), plus a header carrying this run's
nonce so a test can tell this server's answer from any other, and its own address (X-Lab-Server). Appends one JSON line per request to the log: the
peer address the connection came from and the Host asked for.

Usage: fake-server.py <address> <port> <log file> <nonce>
"""
import sys
from http.server import ThreadingHTTPServer

from lab_http import LabHandler

ADDRESS, PORT, LOG, NONCE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class Handler(LabHandler):
    def answer(self, with_body):
        host = self.headers.get("Host", "")
        self.record({"peer": self.client_address[0], "host": host, "method": self.command, "path": self.path})
        # Which of the lab's HTTP servers answered: two names of one wildcard resolve to two of them.
        headers = {"Location": f"https://{host.split(':')[0]}/", "Content-Type": "text/html", "X-Lab-Server": ADDRESS}
        self.reply(301, b"<html><body>301 Moved Permanently</body></html>\n", headers, with_body)


Handler.LOG, Handler.NONCE = LOG, NONCE
ThreadingHTTPServer((ADDRESS, PORT), Handler).serve_forever()
