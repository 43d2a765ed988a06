"""Timeouts, TLS, proxies, host rules and the response cap, all on loopback."""

from __future__ import annotations

import gzip
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from connectors._http import aclose
from connectors._http.clients import state
from connectors.graphql import graphql
from connectors.http_json import http_json
from connectors.sdk import ConnectorError, ConnectorInputError
from connectors.sdk.testing import arun_connector
from tests.connectors.conftest import PROXY_CREDENTIALS, ProxyProcess
from tests.connectors.servers import BlackholeListener, LoopbackServer, Reply


def unique(prefix: str) -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


async def run(variables: dict[str, Any], **kwargs: Any) -> Any:
    return await arun_connector(http_json, variables, **kwargs)


# --- timeouts and I/O errors ------------------------------------------------------------


async def test_read_timeout_maps_to_408(server: LoopbackServer) -> None:
    path = unique("stall")
    stall = server.stall()
    server.routes[path] = lambda seen: Reply(stall=stall)
    started = time.monotonic()
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(path), "readTimeoutInSeconds": 0.3})
    stall.set()
    assert info.value.code == "408"
    assert "timed out" in info.value.message
    assert time.monotonic() - started < 5


@pytest.fixture
def blackhole() -> Iterator[BlackholeListener]:
    listener = BlackholeListener()
    yield listener
    listener.close()


async def test_connection_timeout_maps_to_408(blackhole: BlackholeListener) -> None:
    started = time.monotonic()
    with pytest.raises(ConnectorError) as info:
        await run(
            {
                "method": "GET",
                "url": f"http://127.0.0.1:{blackhole.port}/",
                "connectionTimeoutInSeconds": 0.3,
                "readTimeoutInSeconds": 30,
            }
        )
    assert info.value.code == "408"
    assert "timed out" in info.value.message
    assert time.monotonic() - started < 5


async def test_connection_refused_maps_to_408() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again at once: nothing listens there
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": f"http://127.0.0.1:{port}/"})
    assert info.value.code == "408"
    assert "connection was aborted" in info.value.message


# --- response size cap ----------------------------------------------------------------------


@pytest.mark.parametrize("no_length", [False, True])
async def test_response_over_the_cap_fails_cleanly(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch, no_length: bool
) -> None:
    monkeypatch.setenv("CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE", "1000")
    small, big = unique("small"), unique("big")
    server.routes[small] = lambda seen: Reply(body=b"x" * 1000, no_length=no_length)
    server.routes[big] = lambda seen: Reply(body=b"x" * 200_000, no_length=no_length)
    assert (await run({"method": "GET", "url": server.url(small)}))["body"] == "x" * 1000
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(big)})
    assert info.value.code == "RESPONSE_TOO_LARGE"
    assert "1000 bytes" in info.value.message
    # The shared client still works afterwards.
    assert (await run({"method": "GET", "url": server.url(small)}))["status"] == 200


async def test_the_cap_applies_to_the_decompressed_body(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE", "10000")
    bomb, fine = unique("gzip-bomb"), unique("gzip-fine")
    server.routes[bomb] = lambda seen: Reply(
        body=gzip.compress(b"0" * 1_000_000), headers=[("Content-Encoding", "gzip")]
    )
    server.routes[fine] = lambda seen: Reply(
        body=gzip.compress(b'{"small": true}'),
        headers=[("Content-Encoding", "gzip"), ("Content-Type", "application/json")],
    )
    assert len(gzip.compress(b"0" * 1_000_000)) < 10000
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(bomb)})
    assert info.value.code == "RESPONSE_TOO_LARGE"
    result = await run({"method": "GET", "url": server.url(fine)})
    assert result["body"] == {"small": True}
    # Like Camunda's client: the decoded body no longer matches these headers.
    assert "Content-Encoding" not in result["headers"]
    assert "Content-Length" not in result["headers"]


async def test_an_oversized_error_body_keeps_the_status_code(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE", "1000")
    path = unique("big-error")
    server.routes[path] = lambda seen: Reply(status=502, body=b"e" * 5000, no_length=True)
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(path)})
    assert info.value.code == "502"
    assert info.value.variables["response"]["body"] is None


async def test_bad_environment_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE", "lots")
    with pytest.raises(ValueError, match="CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE"):
        await run({"method": "GET", "url": "http://127.0.0.1:9/"})


# --- TLS ------------------------------------------------------------------------------------


async def test_https_with_a_trusted_self_signed_ca(
    https_server: LoopbackServer, ca_pem: str
) -> None:
    path = unique("tls")
    result = await run(
        {
            "method": "GET",
            "url": https_server.url(path),
            "clientTls": {"trustedCertificate": ca_pem},
        }
    )
    assert result["status"] == 200
    assert https_server.requests_to(path)


async def test_https_untrusted_is_a_named_tls_error(https_server: LoopbackServer) -> None:
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": https_server.url("/untrusted")})
    assert info.value.code == "SSL_HANDSHAKE_FAILED"
    assert "certificate" in info.value.message.lower()


async def test_https_ca_from_the_environment(
    https_server: LoopbackServer, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SWITCHBOARD_HTTP_CA_FILE", str(ca_file))
    assert (await run({"method": "GET", "url": https_server.url("/env-ca")}))["status"] == 200


async def test_mutual_tls_with_a_client_certificate(
    mtls_server: LoopbackServer, ca: trustme.CA, ca_pem: str
) -> None:
    identity = ca.issue_cert("switchboard-client")
    tls = {
        "trustedCertificate": ca_pem,
        "clientCertificate": "".join(p.bytes().decode() for p in identity.cert_chain_pems),
        "clientPrivateKey": identity.private_key_pem.bytes().decode(),
    }
    result = await run({"method": "GET", "url": mtls_server.url("/mtls"), "clientTls": tls})
    assert result["status"] == 200
    with pytest.raises(ConnectorError) as info:
        await run(
            {
                "method": "GET",
                "url": mtls_server.url("/mtls"),
                "clientTls": {"trustedCertificate": ca_pem},
            }
        )
    assert info.value.code == "SSL_HANDSHAKE_FAILED"


async def test_client_certificate_from_the_environment(
    mtls_server: LoopbackServer, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = ca.issue_cert("switchboard-operator")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    identity.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    identity.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    monkeypatch.setenv("SWITCHBOARD_HTTP_CA_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SWITCHBOARD_HTTP_CLIENT_CERT_FILE", str(tmp_path / "cert.pem"))
    monkeypatch.setenv("SWITCHBOARD_HTTP_CLIENT_KEY_FILE", str(tmp_path / "key.pem"))
    assert (await run({"method": "GET", "url": mtls_server.url("/env-mtls")}))["status"] == 200


async def test_client_tls_material_errors_are_input_errors(ca_pem: str) -> None:
    with pytest.raises(ConnectorInputError, match="both a client certificate and a private key"):
        await run(
            {
                "method": "GET",
                "url": "https://127.0.0.1:9/",
                "clientTls": {"clientCertificate": ca_pem},
            }
        )
    with pytest.raises(ConnectorInputError, match="clientTls") as info:
        await run(
            {
                "method": "GET",
                "url": "https://127.0.0.1:9/",
                "clientTls": {"trustedCertificate": "not a certificate"},
            }
        )
    assert "not a certificate" not in str(info.value)


# --- proxies --------------------------------------------------------------------------------


def use_proxy(monkeypatch: pytest.MonkeyPatch, proxy: ProxyProcess, protocol: str) -> None:
    prefix = f"CONNECTOR_{protocol}_PROXY_"
    monkeypatch.setenv(prefix + "HOST", "127.0.0.1")
    monkeypatch.setenv(prefix + "PORT", str(proxy.port))
    monkeypatch.setenv(prefix + "USER", PROXY_CREDENTIALS[0])
    monkeypatch.setenv(prefix + "PASSWORD", PROXY_CREDENTIALS[1])


async def test_http_through_an_authenticating_proxy(
    server: LoopbackServer, proxy: ProxyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_proxy(monkeypatch, proxy, "HTTP")
    path = unique("proxied")
    result = await run({"method": "POST", "url": server.url(path), "body": {"a": 1}})
    assert result["status"] == 200
    seen = server.requests_to(path)[-1]
    assert seen.header("Via") == "1.1 switchboard-test-proxy"
    assert seen.json() == {"a": 1}
    assert f"POST {server.url(path)}" in proxy.lines()


async def test_https_through_a_proxy_tunnel(
    https_server: LoopbackServer,
    proxy: ProxyProcess,
    ca_pem: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_proxy(monkeypatch, proxy, "HTTPS")
    path = unique("tunnel")
    result = await run(
        {
            "method": "GET",
            "url": https_server.url(path),
            "clientTls": {"trustedCertificate": ca_pem},
        }
    )
    assert result["status"] == 200
    host_port = https_server.base.split("://", 1)[1]
    assert f"CONNECT {host_port}" in proxy.lines()


async def test_skip_encoding_through_a_forwarding_proxy(
    server: LoopbackServer, proxy: ProxyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_proxy(monkeypatch, proxy, "HTTP")
    path = unique("raw-proxied")
    raw = f"{path}/{{id}}?x=a|b"
    await run({"method": "GET", "url": server.url(raw), "skipEncoding": "true"})
    seen = server.seen[-1]
    assert seen.target == raw
    assert seen.header("Via") == "1.1 switchboard-test-proxy"


async def test_non_proxy_hosts_bypass_the_proxy(
    server: LoopbackServer, proxy: ProxyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_proxy(monkeypatch, proxy, "HTTP")
    monkeypatch.setenv("CONNECTOR_HTTP_NON_PROXY_HOSTS", "localhost|127.0.*")
    path = unique("direct")
    await run({"method": "GET", "url": server.url(path)})
    assert server.requests_to(path)[-1].header("Via") is None
    assert not [line for line in proxy.lines() if path in line]


async def test_wrong_proxy_credentials(
    server: LoopbackServer, proxy: ProxyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_proxy(monkeypatch, proxy, "HTTP")
    monkeypatch.setenv("CONNECTOR_HTTP_PROXY_PASSWORD", "wrong")
    path = unique("denied")
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(path)})
    assert info.value.code == "407"
    assert "wrong" not in str(info.value)
    assert server.requests_to(path) == []


# --- outbound host rules --------------------------------------------------------------------


async def test_denied_network_blocks_a_redirect(
    server: LoopbackServer, server_127_0_0_2: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, target = unique("to-denied"), unique("denied-target")
    server.routes[start] = lambda seen: Reply(
        status=302, headers=[("Location", server_127_0_0_2.url(target))]
    )
    variables = {"method": "GET", "url": server.url(start), "followRedirects": True}
    # Without rules the redirect is followed to 127.0.0.2.
    assert (await run(variables))["status"] == 200
    assert len(server_127_0_0_2.requests_to(target)) == 1

    await aclose()
    monkeypatch.setenv("SWITCHBOARD_HTTP_DENIED_NETWORKS", "127.0.0.2/32, 10.0.0.0/8")
    with pytest.raises(ConnectorInputError) as info:
        await run(variables)
    assert info.value.code == "HOST_NOT_ALLOWED"
    assert "SWITCHBOARD_HTTP_DENIED_NETWORKS" in info.value.message
    assert len(server_127_0_0_2.requests_to(target)) == 1  # never reached
    # 127.0.0.1 itself is still allowed.
    assert (await run({"method": "GET", "url": server.url(unique("ok"))}))["status"] == 200


async def test_denied_network_checks_resolved_names(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_HTTP_DENIED_NETWORKS", "127.0.0.0/8,::1/128")
    port = server.server_address[1]
    with pytest.raises(ConnectorInputError) as info:
        await run({"method": "GET", "url": f"http://localhost:{port}/"})
    assert info.value.code == "HOST_NOT_ALLOWED"


async def test_denied_network_applies_to_proxied_requests(
    server: LoopbackServer, proxy: ProxyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_proxy(monkeypatch, proxy, "HTTP")
    monkeypatch.setenv("SWITCHBOARD_HTTP_DENIED_NETWORKS", "127.0.0.1/32")
    path = unique("proxied-denied")
    with pytest.raises(ConnectorInputError):
        await run({"method": "GET", "url": server.url(path)})
    assert not [line for line in proxy.lines() if path in line]


async def test_allowed_hosts(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_HTTP_ALLOWED_HOSTS", "localhost,*.example.com")
    port = server.server_address[1]
    assert (await run({"method": "GET", "url": f"http://localhost:{port}/a"}))["status"] == 200
    with pytest.raises(ConnectorInputError) as info:
        await run({"method": "GET", "url": f"http://127.0.0.1:{port}/a"})
    assert info.value.code == "HOST_NOT_ALLOWED"
    assert "SWITCHBOARD_HTTP_ALLOWED_HOSTS" in info.value.message


async def test_host_rules_apply_to_the_oauth_token_endpoint(
    server: LoopbackServer, server_127_0_0_2: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_HTTP_DENIED_NETWORKS", "127.0.0.2/32")
    auth = {
        "type": "oauth-client-credentials-flow",
        "oauthTokenEndpoint": server_127_0_0_2.url("/token"),
        "clientId": "c",
        "clientSecret": "s",
        "clientAuthentication": "credentialsBody",
    }
    with pytest.raises(ConnectorInputError) as info:
        await run({"method": "GET", "url": server.url("/r"), "authentication": auth})
    assert info.value.code == "HOST_NOT_ALLOWED"


# --- the shared client --------------------------------------------------------------------


async def test_one_pooled_client_shared_by_both_connectors_and_closed_by_shutdown(
    server: LoopbackServer,
) -> None:
    await run({"method": "GET", "url": server.url("/pool")})
    client = state().client
    await arun_connector(
        graphql, {"graphql": {"method": "post", "url": server.url("/gql"), "query": "{a}"}}
    )
    assert state().client is client
    assert http_json.extra["shutdown"] is graphql.extra["shutdown"] is aclose
    await http_json.extra["shutdown"]()
    assert client.is_closed
    await graphql.extra["shutdown"]()  # idempotent
