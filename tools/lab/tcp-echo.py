"""The lab's external TCP destination: echoes what it receives, prefixed with this run's nonce, and logs one JSON
line per connection (the peer address and the port). Listens on every given port of one address, so a test can
tell a port the component declared from one it did not.

Usage: tcp-echo.py <address> <log file> <nonce> <port> ...
"""
import json
import socketserver
import sys
import threading

ADDRESS, LOG, NONCE = sys.argv[1], sys.argv[2], sys.argv[3]
PORTS = [int(p) for p in sys.argv[4:]]
LOCK = threading.Lock()


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        port = self.server.server_address[1]
        with LOCK, open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({"proto": "tcp", "peer": self.client_address[0], "port": port}) + "\n")
        data = self.request.recv(4096)
        self.request.sendall(NONCE.encode() + b" " + data)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


servers = [Server((ADDRESS, port), Echo) for port in PORTS]
for server in servers[1:]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
servers[0].serve_forever()
