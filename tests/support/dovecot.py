"""A real Dovecot IMAP and POP3 server on free loopback ports, configured under a temp folder.

Debian's ``dovecot-imapd`` and ``dovecot-pop3d`` (installed by ``scripts/ensure-dovecot.sh``,
which ``make test`` runs) provide the binary; the service the package ships is never started:
this fixture runs its own master process in the foreground with a configuration of its own
(no ``/etc/dovecot``), one passwd file for the users and a Maildir per user.

Four listeners: IMAP (plain, offering STARTTLS), IMAPS (implicit TLS), POP3 (plain, offering
STLS) and POP3S, with a certificate from a ``trustme`` CA. Tests isolate themselves by
creating their own user (``add_user``), so one server serves the whole session.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import trustme


def dovecot_binary() -> str:
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if found is None:
        raise RuntimeError(
            "dovecot is not installed: run scripts/ensure-dovecot.sh (make test does)"
        )
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class MailUser:
    """A mailbox on the server."""

    username: str
    password: str


class Dovecot:
    """One Dovecot master process; :meth:`stop` ends it and removes its folder."""

    def __init__(self, ca: trustme.CA | None = None) -> None:
        self.ca = ca or trustme.CA()
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.pop3_port = free_port()
        self.pop3s_port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def ca_file(self) -> Path:
        return self.root / "ca.pem"

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting the server's CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def start(self, timeout: float = 20.0) -> Dovecot:
        self._write_files()
        with open(self.root / "stderr.log", "wb") as stderr:
            self._process = subprocess.Popen(
                [dovecot_binary(), "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + timeout
        ports = (self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port)
        while not all(_accepts(port) for port in ports):
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self._stderr()}{self.log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dovecot did not listen within {timeout}s: {self.log}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def add_user(self, password: str | None = None) -> MailUser:
        """A new, empty mailbox."""
        username = f"u{uuid.uuid4().hex[:12]}"
        password = password or uuid.uuid4().hex
        # One passwd file per user: Dovecot caches a file it has read, so a new user in an
        # old file may not be seen at once.
        path = self.root / "users" / username
        path.write_text(f"{username}:{{PLAIN}}{password}::::::\n")
        path.chmod(0o644)
        return MailUser(username, password)

    def imap(self, user: MailUser) -> imaplib.IMAP4:
        """A logged-in stdlib IMAP client over the plain port, for seeding and checking."""
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        client.login(user.username, user.password)
        return client

    def append(
        self,
        user: MailUser,
        message: bytes,
        folder: str = "INBOX",
        received: float | None = None,
    ) -> None:
        """Store a message (``received``: its INTERNALDATE as a POSIX time)."""
        client = self.imap(user)
        try:
            if folder.upper() != "INBOX":
                client.create(folder)
            date = imaplib.Time2Internaldate(received) if received is not None else None
            status, detail = client.append(folder, None, date, message)
            if status != "OK":
                raise RuntimeError(f"APPEND failed: {detail!r}")
        finally:
            client.logout()

    def message_ids(self, user: MailUser, folder: str = "INBOX") -> list[str]:
        """The Message-ID headers in a folder, in mailbox order."""
        client = self.imap(user)
        try:
            status, count = client.select(folder, readonly=True)
            if status != "OK" or count == [b"0"]:
                return []
            _, data = client.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            found = []
            for item in data:
                if isinstance(item, tuple):
                    header = item[1].decode().strip()
                    found.append(header.split(":", 1)[1].strip() if ":" in header else "")
            return found
        finally:
            client.logout()

    def folders(self, user: MailUser) -> list[str]:
        client = self.imap(user)
        try:
            _, data = client.list()
            return [line.decode().rsplit(' "." ', 1)[-1].strip('"') for line in data if line]
        finally:
            client.logout()

    def _stderr(self) -> str:
        path = self.root / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _write_files(self) -> None:
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        cert.private_key_pem.write_to_path(str(self.root / "key.pem"))
        (self.root / "cert.pem").write_bytes(b"".join(b.bytes() for b in cert.cert_chain_pems))
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        (self.root / "users").mkdir()
        home = self.root / "home"
        home.mkdir()
        for name in ("run", "state"):
            (self.root / name).mkdir()
        if os.geteuid() == 0:
            # Dovecot refuses root as a mail user; mail processes run as nobody.
            mail = pwd.getpwnam("nobody")
            login_user, internal_user = "dovenull", "dovecot"
            os.chown(home, mail.pw_uid, mail.pw_gid)
            self.root.chmod(0o755)
        else:
            mail = pwd.getpwuid(os.geteuid())
            login_user = internal_user = mail.pw_name
        (self.root / "key.pem").chmod(0o600)
        (self.root / "dovecot.conf").write_text(
            _CONFIG.format(
                root=self.root,
                uid=mail.pw_uid,
                gid=mail.pw_gid,
                login_user=login_user,
                internal_user=internal_user,
                imap=self.imap_port,
                imaps=self.imaps_port,
                pop3=self.pop3_port,
                pop3s=self.pop3s_port,
                instance=self.root.name,
            )
        )


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = {instance}
log_path = {root}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
default_login_user = {login_user}
default_internal_user = {internal_user}
pop3_uidl_format = %08Xu%08Xv
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
"""
