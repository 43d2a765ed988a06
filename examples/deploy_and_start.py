"""Deploy examples/status-check.bpmn to Zeebe and start one instance of it.

    ZEEBE_ADDRESS=localhost:26500 python examples/deploy_and_start.py \
        --status-url http://switchboard:8080/health/ready

The connection is configured by the same environment variables as Switchboard itself:
ZEEBE_ADDRESS (plaintext unless ZEEBE_INSECURE_CONNECTION=false), or OAuth over TLS with
ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET, ZEEBE_AUTHORIZATION_SERVER_URL, ZEEBE_TOKEN_AUDIENCE
(Self-Managed), or CAMUNDA_CLUSTER_ID and CAMUNDA_CLUSTER_REGION (Camunda SaaS).
Exit status: 0 started (or finished, with --wait), 1 Zeebe refused or failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import grpc
from pyzeebe import (
    ZeebeClient,
    create_camunda_cloud_channel,
    create_insecure_channel,
    create_oauth2_client_credentials_channel,
    create_secure_channel,
)
from pyzeebe.errors import ProcessInvalidError, PyZeebeError, ZeebeGatewayUnavailableError

PROCESS_ID = "switchboard-status-check"
DEFAULT_BPMN = Path(__file__).resolve().parent / "status-check.bpmn"
TRUE_WORDS = {"1", "true", "yes", "on"}


class UsageError(Exception):
    pass


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _tls_credentials() -> grpc.ChannelCredentials:
    ca_path = _env("ZEEBE_CA_CERTIFICATE_PATH")
    if ca_path is None:
        return grpc.ssl_channel_credentials()
    try:
        return grpc.ssl_channel_credentials(root_certificates=Path(ca_path).read_bytes())
    except OSError as exc:
        raise UsageError(
            f"ZEEBE_CA_CERTIFICATE_PATH: cannot read {ca_path}: {exc.strerror}"
        ) from None


def open_channel(address: str | None) -> grpc.aio.Channel:
    """A gRPC channel to the gateway, configured from the environment."""
    client_id = _env("ZEEBE_CLIENT_ID")
    client_secret = _env("ZEEBE_CLIENT_SECRET")
    cluster_id = _env("CAMUNDA_CLUSTER_ID")
    if (client_id is None) != (client_secret is None):
        raise UsageError("ZEEBE_CLIENT_ID and ZEEBE_CLIENT_SECRET must be set together")
    if cluster_id is not None:
        if client_id is None or client_secret is None:
            raise UsageError("CAMUNDA_CLUSTER_ID needs ZEEBE_CLIENT_ID and ZEEBE_CLIENT_SECRET")
        return create_camunda_cloud_channel(
            client_id=client_id,
            client_secret=client_secret,
            cluster_id=cluster_id,
            region=_env("CAMUNDA_CLUSTER_REGION") or "bru-2",
        )
    if address is None:
        raise UsageError("ZEEBE_ADDRESS (or --address) is required, e.g. localhost:26500")
    insecure_env = _env("ZEEBE_INSECURE_CONNECTION")
    if client_id is not None and client_secret is not None:
        token_url = _env("ZEEBE_AUTHORIZATION_SERVER_URL")
        if token_url is None:
            raise UsageError("ZEEBE_AUTHORIZATION_SERVER_URL is required with ZEEBE_CLIENT_ID")
        # Bearer tokens only travel over TLS.
        return create_oauth2_client_credentials_channel(
            grpc_address=address,
            client_id=client_id,
            client_secret=client_secret,
            authorization_server=token_url,
            audience=_env("ZEEBE_TOKEN_AUDIENCE"),
            scope=_env("ZEEBE_TOKEN_SCOPE"),
            channel_credentials=_tls_credentials(),
        )
    if insecure_env is not None and insecure_env.lower() not in TRUE_WORDS:
        return create_secure_channel(grpc_address=address, channel_credentials=_tls_credentials())
    return create_insecure_channel(grpc_address=address)


async def run(args: argparse.Namespace) -> int:
    channel = open_channel(args.address)
    target = args.address if _env("CAMUNDA_CLUSTER_ID") is None else "the Camunda SaaS cluster"
    try:
        client = ZeebeClient(channel)
        deployment = await client.deploy_resource(args.bpmn)
        for process in deployment.deployments:
            print(
                f"deployed {process.bpmn_process_id} version {process.version} "
                f"(key {process.process_definition_key})"
            )
        variables = {"statusUrl": args.status_url}
        if args.wait <= 0:
            started = await client.run_process(PROCESS_ID, variables=variables)
            print(f"started instance {started.process_instance_key} of {PROCESS_ID}")
            return 0
        finished = await client.run_process_with_result(
            PROCESS_ID,
            variables=variables,
            timeout=int(args.wait * 1000),
            variables_to_fetch=["statusCode", "serviceStatus"],
        )
        print(f"instance {finished.process_instance_key} finished")
        print(json.dumps(finished.variables, indent=2, sort_keys=True))
        return 0
    except ZeebeGatewayUnavailableError:
        print(f"deploy_and_start: cannot reach the Zeebe gateway at {target}", file=sys.stderr)
        return 1
    except ProcessInvalidError as exc:
        print(f"deploy_and_start: Zeebe rejected {args.bpmn}: {exc}", file=sys.stderr)
        return 1
    except PyZeebeError as exc:
        print(f"deploy_and_start: Zeebe call failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        await channel.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--address",
        default=_env("ZEEBE_ADDRESS"),
        help="Zeebe gateway host:port (default: $ZEEBE_ADDRESS)",
    )
    parser.add_argument(
        "--status-url",
        default=_env("EXAMPLE_STATUS_URL") or "http://localhost:8080/health/ready",
        help="URL the REST task GETs (default: $EXAMPLE_STATUS_URL or %(default)s)",
    )
    parser.add_argument("--bpmn", default=str(DEFAULT_BPMN), help="BPMN file to deploy")
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for the instance to finish and print its variables",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if not Path(args.bpmn).is_file():
            raise UsageError(f"--bpmn: no such file: {args.bpmn}")
        return asyncio.run(run(args))
    except UsageError as exc:
        print(f"deploy_and_start: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
