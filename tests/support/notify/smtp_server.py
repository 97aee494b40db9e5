"""A throwaway SMTP server for tests/notify.rs: aiosmtpd on 127.0.0.1.

Usage: smtp_server.py PORT OUTDIR [USER PASSWORD]

Each message received is written to OUTDIR/NNN.json (through a temporary file and a
rename, so that the test never reads half a file) with the envelope, the raw data, and the
headers and text body decoded, so that the test need not decode MIME itself. With USER and
PASSWORD, AUTH is required (over plain text: the test runs on loopback). Prints "ready"
once listening, and stops when its standard input closes.
"""

import email
import email.policy
import json
import logging
import os
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Saver:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        login = None
        if session.auth_data is not None:
            login = session.auth_data.login.decode("utf-8", "replace")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login,
            "subject": str(parsed["Subject"]),
            "from": str(parsed["From"]),
            "to": str(parsed["To"]),
            "content_type": parsed.get_content_type(),
            "body": body.get_content() if body is not None else None,
            "data": raw.decode("utf-8", "replace"),
        }
        path = os.path.join(self.out, "%03d.json" % self.count)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    # AUTH without TLS is what the test wants; no warnings about it in the test output.
    warnings.filterwarnings("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    port, out = int(sys.argv[1]), sys.argv[2]
    credentials = tuple(sys.argv[3:5]) if len(sys.argv) >= 5 else None

    def authenticator(server, session, envelope, mechanism, auth_data):
        given = (
            auth_data.login.decode("utf-8", "replace"),
            auth_data.password.decode("utf-8", "replace"),
        )
        if given == credentials:
            return AuthResult(success=True, auth_data=auth_data)
        # Not "handled": aiosmtpd then answers 535 itself.
        return AuthResult(success=False, handled=False)

    kwargs = {}
    if credentials:
        kwargs = dict(
            authenticator=authenticator, auth_required=True, auth_require_tls=False
        )
    controller = Controller(Saver(out), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
