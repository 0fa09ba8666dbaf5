"""Outgoing HTTPS: one TLS context per process (prometheus.tls) that still verifies every certificate, and
trusts the authorities SSL_CERT_FILE names, as httpx's own default does."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.peers import _JsonHandler

# a peer call and a webhook delivery from a process of their own, made with the environment given
CALLS = """
import asyncio, json, sys
from prometheus.config import Settings
from prometheus.events.webhooks import Sender
from prometheus.integrations.http import IntegrationUnavailable, PeerClient

url = sys.argv[1]
settings = Settings(integration_retry_count=0, integration_timeout=5)
try:
    peer = asyncio.run(PeerClient("engram", settings, base_url=url).request("GET", "/api/health"))
except IntegrationUnavailable as exc:
    peer = exc.message
sender = Sender(5)
try:
    hook = sender.post(url + "/hook", b"{}", {"content-type": "application/json"}, {})
except Exception as exc:
    hook = repr(exc)
sender.close()
print(json.dumps({"peer": peer, "hook": hook}))
"""


LOOPBACK = ipaddress.ip_address("127.0.0.1")


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own authority), and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "prometheus test peer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOOPBACK)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "peer.pem", folder / "peer.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


class _Answer(_JsonHandler):
    def _ok(self) -> None:
        self.body()
        self._send(200, {"status": "ok"})

    do_GET = do_POST = _ok


@pytest.fixture
def https_peer(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = _certificate(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    httpd = ThreadingHTTPServer((str(LOOPBACK), 0), _Answer)
    httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    httpd.shutdown()
    httpd.server_close()


def _calls(url: str, env: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")} | env
    out = subprocess.run(
        [sys.executable, "-c", CALLS, url], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_certificate_no_trusted_authority_signed_is_refused(https_peer) -> None:
    url, _ = https_peer
    answers = _calls(url, {})
    assert "CERTIFICATE_VERIFY_FAILED" in answers["peer"], answers
    assert "CERTIFICATE_VERIFY_FAILED" in answers["hook"], answers


def test_the_authorities_ssl_cert_file_names_are_trusted(https_peer) -> None:
    url, cert = https_peer
    answers = _calls(url, {"SSL_CERT_FILE": str(cert)})
    assert answers == {"peer": {"status": "ok"}, "hook": 200}, answers
