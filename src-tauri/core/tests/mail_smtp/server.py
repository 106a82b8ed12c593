"""A real SMTP server for tests/mail_smtp.rs (Debian's python3-aiosmtpd).

    python3 server.py PORT OUTDIR CERT KEY USER PASSWORD [implicit]

Listens on 127.0.0.1:PORT with STARTTLS required before AUTH (the
certificate is the test's throw-away one; CERT and KEY "-" for a plain
server, as a relay on this computer is, for the end-to-end test), accepts USER/PASSWORD only,
refuses recipients whose address starts with "nobody@", and writes each
message it takes to OUTDIR as N.eml. Prints "ready" once it listens; stops
when its standard input closes. With "implicit" it speaks TLS from the first
byte, as port 465 ("SMTPS", SSL/TLS in mail programs) does.
"""
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keep:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            path = os.path.join(self.outdir, "%d.eml" % self.count)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    port, outdir, cert, key, user, password = sys.argv[1:7]
    implicit = sys.argv[7:8] == ["implicit"]
    plain = cert == "-"
    context = None
    if not plain:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        # handled=False: aiosmtpd then answers 535 itself.
        return AuthResult(success=ok, handled=False)

    if implicit:
        # The whole connection is TLS already: no STARTTLS to offer or require.
        controller = Controller(
            Keep(outdir),
            hostname="127.0.0.1",
            port=int(port),
            ssl_context=context,
            authenticator=authenticator,
            auth_require_tls=False,
        )
    else:
        controller = Controller(
            Keep(outdir),
            hostname="127.0.0.1",
            port=int(port),
            tls_context=context,
            require_starttls=not plain,
            authenticator=authenticator,
            auth_require_tls=not plain,
        )
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
