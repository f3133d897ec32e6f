# cbrecv.py: the municipality's side of tests/integration/callbacks.sh, a
# real HTTP receiver. It checks each post's signature the way README.md
# tells a receiver to (HMAC-SHA256 of "TIMESTAMP.BODY" under the shared
# secret, a timestamp within 5 minutes), answers as the file MODE says
# (200, 500, 302, or "hang": no answer for a minute) and logs one JSON line
# a post: its answer, whether the signature held, the headers and the body.
# A post with a bad signature is refused with 401.
# usage: python3 cbrecv.py PORTFILE LOG MODEFILE SECRETFILE
import hashlib
import hmac
import http.server
import json
import sys
import time

port_file, log_path, mode_path, secret_path = sys.argv[1:5]
secret = open(secret_path, "rb").read().strip()


class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        ts = self.headers.get("X-Muni-Timestamp", "")
        sig = self.headers.get("X-Muni-Signature", "")
        want = "sha256=" + hmac.new(secret, ts.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(want, sig) and ts.isdigit() and \
            abs(time.time() - int(ts)) < 300
        mode = open(mode_path).read().strip()
        code = 401 if not ok else (int(mode) if mode.isdigit() else 0)
        with open(log_path, "a") as f:
            f.write(json.dumps({
                "code": code if code else mode, "sig": ok,
                "event": self.headers.get("X-Muni-Event"),
                "delivery": int(self.headers.get("X-Muni-Delivery", "0")),
                "body": json.loads(body)}) + "\n")
        if code == 0:
            time.sleep(60)
            return
        self.send_response(code)
        if code == 302:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
srv.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
import os
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
