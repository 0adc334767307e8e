"""Real mail servers for the e-mail channel's tests (issue 15): Debian's dovecot (IMAP, with STARTTLS and
IMAPS on a self-signed certificate) and aiosmtpd (SMTP capturing what it is given, with STARTTLS and AUTH).

`dovecot` skips the test when /usr/sbin/dovecot is missing (`make mailserver` installs it), but fails it
when REQUIRE_MAIL=1 (CI). Both trust their certificate through SSL_CERT_FILE, so the application's own
code (ssl.create_default_context()) verifies it like any real server's: no test-only switch in the app.

Dovecot as root (CI runs as root in a fresh clone): its login processes must not run as root and mail
must not be owned by root, so the server uses Debian's `dovenull`/`dovecot` users and keeps its run
directory and maildir in a world-traversable temporary directory (pytest's tmp_path is private to root);
as another user everything runs as that user inside tmp_path.
"""

from __future__ import annotations

import datetime as dt
import grp
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

DOVECOT = os.environ.get("DOVECOT_BINARY", "/usr/sbin/dovecot")
DOVECOT_IMAP = "/usr/lib/dovecot/imap"  # the IMAP service (package dovecot-imapd)
REQUIRE_MAIL = os.environ.get("REQUIRE_MAIL") == "1"
USER, PASSWORD = "hotline", "mail-pass-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def mail_cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate the tests' TLS clients trust (SSL_CERT_FILE)."""
    directory = tmp_path / "tls"
    directory.mkdir()
    cert, key = self_signed(directory)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


@dataclass
class Dovecot:
    """A running dovecot: one user, maildir storage, STARTTLS on `port`, TLS on `tls_port`."""

    port: int
    tls_port: int
    log: Path
    process: subprocess.Popen[bytes]

    def url(self, mailbox: str = "INBOX", *, tls: bool = False) -> str:
        scheme, port = ("imaps", self.tls_port) if tls else ("imap", self.port)
        return f"{scheme}://{USER}:{quote(PASSWORD)}@127.0.0.1:{port}/{quote(mailbox)}"

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.starttls(ssl.create_default_context())
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, mailbox: str = "INBOX") -> int:
        """Put a message in `mailbox` (created when missing); its UID."""
        with self.client() as client:
            if not client.folder_exists(mailbox):
                client.create_folder(mailbox)
            reply = client.append(mailbox, raw)
        return int(reply.split(b"]")[0].split()[-1])  # [APPENDUID <validity> <uid>]

    def flags(self, mailbox: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        with self.client() as client:
            client.select_folder(mailbox, readonly=True)
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(client.search("ALL"), ["FLAGS"]).items()}

    def recreate(self, mailbox: str) -> None:
        """Delete and create `mailbox` again, emptied: it gets a new UIDVALIDITY."""
        with self.client() as client:
            client.delete_folder(mailbox)
            client.create_folder(mailbox)


def _dovecot_conf(tmp_path: Path, port: int, tls_port: int, cert: Path, key: Path, spool: Path) -> Path:
    users = spool / "users"  # read by the auth process (the internal user)
    users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    users.chmod(0o644)
    if os.geteuid() == 0:  # login processes and mail never as root (dovecot refuses)
        internal, login, mail_user = "dovecot", "dovenull", "dovecot"
    else:
        internal = login = mail_user = pwd.getpwuid(os.geteuid()).pw_name
    mail_pw = pwd.getpwnam(mail_user)
    maildir = spool / "mail"
    maildir.mkdir()
    os.chown(maildir, mail_pw.pw_uid, mail_pw.pw_gid)
    conf = tmp_path / "dovecot.conf"
    conf.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {spool}/run
state_dir = {spool}/state
log_path = {tmp_path}/dovecot.log
info_log_path = {tmp_path}/dovecot.log
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
first_valid_uid = {mail_pw.pw_uid}
auth_mechanisms = plain login
mail_location = maildir:{maildir}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = static
  args = uid={mail_pw.pw_uid} gid={mail_pw.pw_gid} home={maildir}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    return conf


@pytest.fixture
def dovecot(tmp_path: Path, mail_cert: tuple[Path, Path]) -> Iterator[Dovecot]:
    """Debian's dovecot as a child process (not a daemon) on free local ports."""
    if not (Path(DOVECOT).exists() and Path(DOVECOT_IMAP).exists()):
        message = f"{DOVECOT} is not installed (make mailserver; apt-get install dovecot-imapd)"
        if REQUIRE_MAIL:
            pytest.fail(f"REQUIRE_MAIL=1 but {message}")
        pytest.skip(f"{message}; IMAP tests skipped (set REQUIRE_MAIL=1 to make this a failure)")
    spool = Path(tempfile.mkdtemp(prefix="hotline-dovecot-"))
    spool.chmod(0o755)
    port, tls_port = free_port(), free_port()
    conf = _dovecot_conf(tmp_path, port, tls_port, *mail_cert, spool)
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Dovecot(port=port, tls_port=tls_port, log=tmp_path / "dovecot.log", process=process)
    try:
        wait_for_port(port, process=process)
        wait_for_port(tls_port, process=process)
        yield server
    except Exception as exc:
        log = server.log.read_text(errors="replace") if server.log.exists() else ""
        raise RuntimeError(f"dovecot did not serve: {exc}\n{log}") from exc
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(spool, ignore_errors=True)


# -- SMTP -----------------------------------------------------------------------------------------
@dataclass
class SmtpCapture:
    """What the aiosmtpd server was given; `reply` makes it refuse the next messages (e.g. "550 …")."""

    port: int = 0
    messages: list[Any] = field(default_factory=list)  # email.message.EmailMessage
    envelopes: list[Any] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    reply: str | None = None

    def url(self) -> str:
        return f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        import email
        import email.policy

        if self.reply:
            return self.reply
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        """The authenticator: the one test user."""
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(USER)
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server(mail_cert: tuple[Path, Path]) -> Iterator[SmtpCapture]:
    """aiosmtpd on a free local port: STARTTLS required, then AUTH (PLAIN/LOGIN) required."""
    from aiosmtpd.controller import Controller

    cert, key = mail_cert
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    capture = SmtpCapture(port=free_port())
    controller = Controller(
        capture,
        hostname="127.0.0.1",
        port=capture.port,
        tls_context=context,
        require_starttls=True,
        authenticator=capture,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield capture
    finally:
        controller.stop()
