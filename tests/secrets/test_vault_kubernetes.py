"""Kubernetes auth against OpenBao, with a loopback stand-in for the Kubernetes TokenReview API
(the only part of Kubernetes the auth method calls)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import hvac
import pytest
import trustme

from app.secrets import SecretContext, SecretProviderError
from app.secrets.vault_auth import VaultAuth
from tests.secrets.conftest import MakeVault, put

NAMESPACE = "apps"
ACCOUNT = "switchboard"
UID = "0c8d4f2e-1111-4a4a-9999-000000000001"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def service_account_jwt() -> str:
    header = {"alg": "RS256", "typ": "JWT", "kid": "test"}
    claims = {
        "iss": "kubernetes/serviceaccount",
        "sub": f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}",
        "kubernetes.io/serviceaccount/namespace": NAMESPACE,
        "kubernetes.io/serviceaccount/service-account.name": ACCOUNT,
        "kubernetes.io/serviceaccount/service-account.uid": UID,
        "jti": uuid.uuid4().hex,  # each test's token is different
    }
    parts = [json.dumps(header).encode(), json.dumps(claims).encode(), b"not-verified-here"]
    return ".".join(b64(p) for p in parts)


class TokenReviewAPI:
    """Answers TokenReviews: only tokens in ``valid`` are authenticated."""

    def __init__(self) -> None:
        self.valid: set[str] = set()
        self.reviews = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                review = json.loads(self.rfile.read(length) or b"{}")
                api.reviews += 1
                token = (review.get("spec") or {}).get("token")
                status: dict[str, object] = {"authenticated": token in api.valid}
                if token in api.valid:
                    status["user"] = {
                        "username": f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}",
                        "uid": UID,
                        "groups": ["system:serviceaccounts"],
                    }
                body = json.dumps(
                    {
                        "apiVersion": "authentication.k8s.io/v1",
                        "kind": "TokenReview",
                        "status": status,
                    }
                ).encode()
                self.send_response(201)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TokenReviewAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def kubernetes_mount(root: hvac.Client, prefix: str) -> Iterator[tuple[str, TokenReviewAPI]]:
    with TokenReviewAPI() as api:
        mount = f"k8s-{uuid.uuid4().hex[:8]}"
        root.sys.enable_auth_method("kubernetes", path=mount)
        root.write(
            f"auth/{mount}/config",
            kubernetes_host=api.address,
            kubernetes_ca_cert=trustme.CA().cert_pem.bytes().decode(),  # unused over http
            disable_local_ca_jwt=True,
            token_reviewer_jwt="reviewer-token",
        )
        root.sys.create_or_update_policy(
            f"read-{prefix}", f'path "secret/data/{prefix}/*" {{ capabilities = ["read"] }}'
        )
        root.write(
            f"auth/{mount}/role/switchboard",
            bound_service_account_names=ACCOUNT,
            bound_service_account_namespaces=NAMESPACE,
            token_policies=f"read-{prefix}",
            token_ttl="1h",
        )
        yield mount, api


async def test_kubernetes_login_reads_secrets(
    make_vault: MakeVault,
    root: hvac.Client,
    prefix: str,
    tmp_path: Path,
    kubernetes_mount: tuple[str, TokenReviewAPI],
) -> None:
    mount, api = kubernetes_mount
    jwt = service_account_jwt()
    api.valid.add(jwt)
    token_file = tmp_path / "token"
    token_file.write_text(jwt + "\n")
    put(root, f"{prefix}/API_TOKEN", value="via-kubernetes")
    auth = VaultAuth(
        "kubernetes",
        kubernetes_role="switchboard",
        kubernetes_token_path=str(token_file),
        mount=mount,
    )
    vault = await make_vault(auth)
    assert await vault.get_many(["API_TOKEN"], SecretContext()) == {"API_TOKEN": "via-kubernetes"}
    assert auth.logins == 1
    assert api.reviews == 1


async def test_kubernetes_login_rejected_by_the_token_review(
    make_vault: MakeVault,
    tmp_path: Path,
    kubernetes_mount: tuple[str, TokenReviewAPI],
) -> None:
    mount, api = kubernetes_mount
    token_file = tmp_path / "token"
    token_file.write_text(service_account_jwt())  # not in api.valid
    auth = VaultAuth(
        "kubernetes",
        kubernetes_role="switchboard",
        kubernetes_token_path=str(token_file),
        mount=mount,
    )
    vault = await make_vault(auth)
    with pytest.raises(SecretProviderError) as caught:
        await vault.get_many(["API_TOKEN"], SecretContext())
    assert caught.value.reason.startswith("kubernetes login failed: HTTP 403")
    assert api.reviews >= 1
