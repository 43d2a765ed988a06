"""TLS contexts: the operator's (environment) and a job's own ``clientTls`` material."""

from __future__ import annotations

import hashlib
import os
import ssl
import tempfile
from dataclasses import dataclass, field

import httpx

from connectors._http.config import HttpConfig, HttpConfigError
from connectors.sdk import ConnectorInputError


@dataclass(frozen=True)
class JobTls:
    """PEM material from a job's ``clientTls`` inputs (all optional)."""

    client_certificate: str | None = None
    client_private_key: str | None = field(default=None, repr=False)
    private_key_password: str | None = field(default=None, repr=False)
    trusted_certificate: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.client_certificate or self.client_private_key or self.trusted_certificate)

    def cache_key(self) -> str:
        """A digest of the material, so no key or password is kept as a dictionary key."""
        digest = hashlib.sha256()
        for part in (
            self.client_certificate,
            self.client_private_key,
            self.private_key_password,
            self.trusted_certificate,
        ):
            digest.update((part or "").encode())
            digest.update(b"\0")
        return digest.hexdigest()


def environment_context(config: HttpConfig) -> ssl.SSLContext:
    """The default context: system/certifi roots plus the operator's CA file and identity."""
    context = httpx.create_ssl_context()
    if config.ca_file:
        try:
            context.load_verify_locations(cafile=config.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise HttpConfigError(
                f"SWITCHBOARD_HTTP_CA_FILE: cannot load certificates ({type(exc).__name__})"
            ) from None
    if config.client_cert_file and config.client_key_file:
        try:
            context.load_cert_chain(
                config.client_cert_file,
                config.client_key_file,
                password=config.client_key_password,
            )
        except (OSError, ssl.SSLError) as exc:
            raise HttpConfigError(
                "SWITCHBOARD_HTTP_CLIENT_CERT_FILE/SWITCHBOARD_HTTP_CLIENT_KEY_FILE: cannot load "
                f"the client certificate and key ({type(exc).__name__})"
            ) from None
    return context


def job_context(tls: JobTls, config: HttpConfig) -> ssl.SSLContext:
    """A context from a job's PEM material. Blocking (file I/O, key parsing): run in a thread.

    A trusted certificate replaces the default roots, as in Camunda; without one the
    environment's roots are kept.
    """
    if bool(tls.client_certificate) != bool(tls.client_private_key):
        raise ConnectorInputError(
            "clientTls: mTLS client authentication requires both a client certificate and a "
            "private key; only one was provided."
        )
    try:
        if tls.trusted_certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_verify_locations(cadata=tls.trusted_certificate)
        else:
            context = environment_context(
                HttpConfig(ca_file=config.ca_file)  # roots only: the job brings its identity
            )
        if tls.client_certificate and tls.client_private_key:
            _load_identity(context, tls)
    except ConnectorInputError:
        raise
    except (OSError, ssl.SSLError, ValueError, HttpConfigError):
        # The detail may derive from key material: keep it out of the job's error.
        raise ConnectorInputError(
            "clientTls: failed to build the TLS context from the provided certificate material"
        ) from None
    return context


def _load_identity(context: ssl.SSLContext, tls: JobTls) -> None:
    # ssl only loads identities from files: write them to a private directory, then delete.
    with tempfile.TemporaryDirectory(prefix="switchboard-tls-") as directory:
        cert_path = os.path.join(directory, "cert.pem")
        key_path = os.path.join(directory, "key.pem")
        for path, text in ((cert_path, tls.client_certificate), (key_path, tls.client_private_key)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text or "")
        context.load_cert_chain(cert_path, key_path, password=tls.private_key_password or None)
