"""The lab's external TLS servers on one address and port: a certificate per name (SNI), from the lab's external CA.

Every client may present a certificate from the external CA (the server asks; an invalid one fails the handshake);
names marked ":mutual" answer 403 to a client that presented none. Every request is answered 200
with a header carrying this run's nonce, and logged as one JSON line: the peer address, the SNI, the Host, the
subject of the client certificate (if any). A handshake that fails is logged too, with the reason.

Usage: tls-server.py <address> <port> <log file> <nonce> <cert dir> <name>[:mutual] ...
    <cert dir>/<name>.pem and <cert dir>/<name>.key for each name (a "*.x" name is stored as "star.x"),
    <cert dir>/ca.pem: the external CA (also the client CA of the mutual names).
"""
import ssl
import sys
from http.server import ThreadingHTTPServer

from lab_http import LabHandler, append_record

ADDRESS, PORT, LOG, NONCE, CERTS = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
NAMES = sys.argv[6:]


def context_for(name):
    stem = name.partition(":")[0].replace("*", "star")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(f"{CERTS}/{stem}.pem", f"{CERTS}/{stem}.key")
    # After the switch by SNI, the client's certificate is checked against this context's trust store, and Python
    # reports it only if this context verifies peers.
    context.verify_mode = ssl.CERT_OPTIONAL
    context.load_verify_locations(f"{CERTS}/ca.pem")
    return context


CONTEXTS = {}
MUTUAL = set()
for spec in NAMES:
    name, _, flag = spec.partition(":")
    CONTEXTS[name] = context_for(name)
    if flag == "mutual":
        MUTUAL.add(name)


def lookup(server_name):
    if server_name in CONTEXTS:
        return CONTEXTS[server_name]
    for name, context in CONTEXTS.items():
        if name.startswith("*.") and server_name and server_name.endswith(name[1:]):
            return context
    return None


def sni_callback(sock, server_name, _):
    context = lookup(server_name)
    sock.sni = server_name
    if context is None:
        return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
    sock.context = context
    return None


# OpenSSL keeps the verify mode of the context a connection started with (switching contexts by SNI changes the
# certificate and the trust store), so this one asks every client for a certificate, and the handler enforces the
# mutual names.
DEFAULT = context_for(NAMES[0])
DEFAULT.sni_callback = sni_callback


class Handler(LabHandler):
    def answer(self, with_body):
        cert = self.connection.getpeercert()
        subject = dict(item[0] for item in cert.get("subject", ())) if cert else {}
        sni = getattr(self.connection, "sni", None)
        self.record(
            {
                "proto": "tls",
                "peer": self.client_address[0],
                "sni": sni,
                "host": self.headers.get("Host", ""),
                "method": self.command,
                "clientCert": subject.get("commonName"),
            }
        )
        refused = sni in MUTUAL and not subject
        body = b"client certificate required\n" if refused else b"ok\n"
        self.reply(403 if refused else 200, body, {}, with_body)


class Server(ThreadingHTTPServer):
    def get_request(self):
        sock, peer = self.socket.accept()
        try:
            return DEFAULT.wrap_socket(sock, server_side=True), peer
        except (ssl.SSLError, OSError) as error:
            append_record(LOG, {"proto": "tls", "peer": peer[0], "handshake": str(error)})
            sock.close()
            raise


Handler.LOG, Handler.NONCE = LOG, NONCE
Server((ADDRESS, PORT), Handler).serve_forever()
