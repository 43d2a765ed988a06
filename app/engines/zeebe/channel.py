"""Build the gRPC channel to the Zeebe gateway from the settings.

Modes: plaintext, TLS (system trust store or a CA file), OAuth client credentials on
either, and Camunda SaaS (TLS + OAuth to ``<cluster>.<region>.zeebe.camunda.io:443``).
Must be called inside the running event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import grpc

from app.engines.zeebe.oauth import ClientCredentialsTokenSource, bearer_interceptors
from app.settings.zeebe import ZeebeSettings

SAAS_TOKEN_URL = "https://login.cloud.camunda.io/oauth/token"
SAAS_AUDIENCE = "zeebe.camunda.io"
KEEPALIVE_MS = 45_000  # as the official Java and Go clients


@dataclass(frozen=True)
class ConnectionPlan:
    """What :func:`create_channel` will do; safe to log (no credentials)."""

    address: str
    tls: bool
    oauth: bool
    saas: bool

    def describe(self) -> str:
        parts = ["TLS" if self.tls else "plaintext"]
        if self.oauth:
            parts.append("OAuth")
        if self.saas:
            parts.append("Camunda SaaS")
        return f"{self.address} ({', '.join(parts)})"


def connection_plan(settings: ZeebeSettings) -> ConnectionPlan:
    """Decide address, TLS and OAuth from the settings (see docs/zeebe.md)."""
    saas = bool(settings.camunda_cluster_id)
    if saas:
        address = (
            f"{settings.camunda_cluster_id}.{settings.camunda_cluster_region}.zeebe.camunda.io:443"
        )
    elif settings.zeebe_address:
        address = settings.zeebe_address
    else:
        raise ValueError("ZEEBE_ADDRESS or CAMUNDA_CLUSTER_ID must be set to start the worker")
    oauth = saas or bool(settings.zeebe_client_id)
    if saas:
        tls = True
    elif settings.zeebe_insecure_connection is not None:
        tls = not settings.zeebe_insecure_connection
    else:
        tls = bool(settings.zeebe_ca_certificate_path) or oauth
    return ConnectionPlan(address, tls, oauth, saas)


def token_source(settings: ZeebeSettings) -> ClientCredentialsTokenSource | None:
    """The OAuth token source the settings ask for, or None."""
    plan_saas = bool(settings.camunda_cluster_id)
    if not (settings.zeebe_client_id and settings.zeebe_client_secret):
        return None
    url = settings.zeebe_authorization_server_url or (SAAS_TOKEN_URL if plan_saas else None)
    if url is None:
        raise ValueError("ZEEBE_AUTHORIZATION_SERVER_URL is required when ZEEBE_CLIENT_ID is set")
    audience = settings.zeebe_token_audience or (SAAS_AUDIENCE if plan_saas else None)
    return ClientCredentialsTokenSource(
        url,
        settings.zeebe_client_id,
        settings.zeebe_client_secret.get_secret_value(),
        audience=audience,
        scope=settings.zeebe_token_scope,
    )


async def create_channel(settings: ZeebeSettings) -> tuple[grpc.aio.Channel, ConnectionPlan]:
    """Open (lazily) a channel to the gateway; returns it with the plan it follows."""
    plan = connection_plan(settings)
    max_backoff_ms = int(settings.worker_reconnect_max_backoff_seconds * 1000)
    options = [
        ("grpc.keepalive_time_ms", KEEPALIVE_MS),
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", max(max_backoff_ms, 100)),
        ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ]
    source = token_source(settings) if plan.oauth else None
    interceptors = bearer_interceptors(source) if source is not None else None
    if not plan.tls:
        channel = grpc.aio.insecure_channel(plan.address, options, interceptors=interceptors)
        return channel, plan
    root = None
    if settings.zeebe_ca_certificate_path:
        path = Path(settings.zeebe_ca_certificate_path)
        try:
            root = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise ValueError(
                f"ZEEBE_CA_CERTIFICATE_PATH: cannot read {str(path)!r}: {exc.strerror}"
            ) from None
    credentials = grpc.ssl_channel_credentials(root_certificates=root)
    channel = grpc.aio.secure_channel(plan.address, credentials, options, interceptors=interceptors)
    return channel, plan
