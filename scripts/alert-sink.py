#!/usr/bin/python3
"""Local sinks for migrate's alerts, for the tests and the demo.

    alert-sink.py smtp PORT DIR [SECONDS]   SMTP server (aiosmtpd): each message -> DIR/NNN.eml
    alert-sink.py http PORT DIR [SECONDS]   HTTP server: each POST body -> DIR/NNN.json
    alert-sink.py silent PORT DIR [SECONDS] accepts connections and never answers (a hung server)

With SINK_TLS_CERT and SINK_TLS_KEY (PEM files) set, the SMTP server offers STARTTLS and
refuses mail sent without it.
Listens on 127.0.0.1:PORT, writes DIR/ready once listening (exits 1 when the port is taken),
writes each file under a temporary name first, and stops after SECONDS (default 120).
Needs Debian's python3-aiosmtpd for smtp; run it with /usr/bin/python3.
"""
import os
import pathlib
import sys
import time


def store(directory, suffix, data):
    existing = [p for p in directory.iterdir() if p.suffix == suffix]
    path = directory / f"{len(existing) + 1:03}{suffix}"
    temporary = directory / (path.name + ".tmp")
    temporary.write_bytes(data)
    os.rename(temporary, path)


def run_smtp(port, directory, seconds):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            store(directory, ".eml", envelope.original_content or envelope.content)
            return "250 OK"

    tls = None
    if os.environ.get("SINK_TLS_CERT"):
        import ssl

        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.environ["SINK_TLS_CERT"], os.environ["SINK_TLS_KEY"])
    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=tls is not None
    )
    controller.start()
    (directory / "ready").write_text(str(port))
    time.sleep(seconds)
    controller.stop()


def run_http(port, directory, seconds):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            store(directory, ".json", body)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", port), Handler)
    server.timeout = 0.2
    (directory / "ready").write_text(str(port))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        server.handle_request()


def run_silent(port, directory, seconds):
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)  # the kernel completes connections; nothing is ever said on them
    (directory / "ready").write_text(str(port))
    time.sleep(seconds)


RUNNERS = {"smtp": run_smtp, "http": run_http, "silent": run_silent}


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in RUNNERS:
        print(__doc__, file=sys.stderr)
        return 2
    port = int(sys.argv[2])
    directory = pathlib.Path(sys.argv[3])
    directory.mkdir(parents=True, exist_ok=True)
    seconds = float(sys.argv[4]) if len(sys.argv) == 5 else 120.0
    try:
        RUNNERS[sys.argv[1]](port, directory, seconds)
    except OSError as error:
        print(f"alert-sink: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
