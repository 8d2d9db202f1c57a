"""A counting HTTP proxy for the OpenStack APIs of a plain-HTTP cloud (the local test cloud).

One listener on 127.0.0.1 per upstream service port. Every request is forwarded as it came to the same
path on the upstream port; URLs of the upstream services in answers (Keystone's catalog, version
documents, pagination links, Location headers) are rewritten to the proxy's listeners, so a client
that found the services through the catalog keeps talking through the proxy. Requests are counted per
service and method; `take()` returns the counts since the last call and starts anew.

Used by compare.py to count the requests each provider makes in a phase, for both providers alike.
"""

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "content-length", "accept-encoding", "host"}


class CountingProxy:
    def __init__(self, upstream_host, upstream_ports):
        """upstream_ports: {service name: port}, e.g. {"identity": 5000, "network": 9696}."""
        self.upstream_host = upstream_host
        self.lock = threading.Lock()
        self.counts = {}
        self.servers = {}
        for name, port in upstream_ports.items():
            server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(name, port))
            server.daemon_threads = True
            self.servers[name] = (port, server)
        self.rewrites = []
        for name, (port, server) in self.servers.items():
            mine = server.server_address[1]
            for host in (upstream_host, "localhost"):
                self.rewrites.append((f"//{host}:{port}".encode(), f"//127.0.0.1:{mine}".encode()))

    def port(self, name):
        return self.servers[name][1].server_address[1]

    def start(self):
        for _, server in self.servers.values():
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self):
        for _, server in self.servers.values():
            server.shutdown()
            server.server_close()

    def take(self):
        with self.lock:
            counts, self.counts = self.counts, {}
        return counts

    def _count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def _rewrite(self, data):
        for old, new in self.rewrites:
            data = data.replace(old, new)
        return data

    def _handler(self, service, upstream_port):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _upstream(self, fresh=False):
                conn = getattr(self, "conn", None)
                if fresh or conn is None:
                    if conn is not None:
                        conn.close()
                    conn = http.client.HTTPConnection(proxy.upstream_host, upstream_port, timeout=600)
                    self.conn = conn
                return conn

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Host"] = f"{proxy.upstream_host}:{upstream_port}"
                if body is not None:
                    headers["Content-Length"] = str(len(body))
                proxy._count(f"{service} {self.command}")
                resp = None
                for attempt in (0, 1):
                    conn = self._upstream(fresh=attempt > 0)
                    try:
                        conn.request(self.command, self.path, body=body, headers=headers)
                        resp = conn.getresponse()
                        data = resp.read()
                        break
                    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                            socket.timeout):
                        # A kept-alive upstream connection the server had closed: once more on a new one.
                        if attempt == 1:
                            self.send_error(502)
                            return
                data = proxy._rewrite(data)
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() in HOP_BY_HOP:
                        continue
                    if k.lower() == "location":
                        v = proxy._rewrite(v.encode()).decode()
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward

        return Handler
