"""Jobs shaped by Camunda's official e-mail template (newest version, as the modeler writes
them: tests/support/modeler.py), through the real worker over real gRPC against the test
gateway, and the real SMTP and IMAP servers: the command the gateway receives, failures with
Camunda's retries and codes, and secrets masked everywhere."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb

from connectors.email import email
from tests.email.conftest import SMTP_USERS
from tests.email.messages import message
from tests.email.smtp_server import SmtpServer
from tests.support.dovecot import Dovecot, MailUser, free_port
from tests.support.gateway import GatewayJob, TestGateway
from tests.support.modeler import apply_template
from tests.templates.official import official_template
from tests.zeebe.conftest import Harness, start_worker  # noqa: F401 (fixture)
from tests.zeebe.conftest import gateway as gateway

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]
TEMPLATE = "io.camunda.connectors.email.v1"
USER, PASSWORD = next(iter(SMTP_USERS.items()))
SECRETS = {"SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD}


async def run_modelled(gateway: TestGateway, values: dict[str, Any], process_id: str) -> GatewayJob:
    """Deploy the task as the modeler writes it with the official template, start it, and
    wait for the worker's first command."""
    applied = apply_template(official_template(TEMPLATE), values)
    assert applied.job_type == "io.camunda:email:1"
    channel = grpc.aio.insecure_channel(gateway.address)
    try:
        adapter = ZeebeAdapter(channel, max_connection_retries=-1)
        await adapter._gateway_stub.DeployResource(
            pb.DeployResourceRequest(
                resources=[pb.Resource(name=f"{process_id}.bpmn", content=applied.bpmn(process_id))]
            )
        )
        created = await adapter.create_process_instance(process_id, -1, {})
    finally:
        await channel.close()
    instance_key = getattr(created, "process_instance_key", created)

    def first_command() -> GatewayJob | None:
        for job in gateway.jobs.values():
            if job.process_instance_key == instance_key and (
                job.state in ("completed", "error_thrown") or job.failures
            ):
                return job
        return None

    return await gateway.wait_for(first_command, timeout=30, what="the e-mail job's command")


def smtp_values(server: SmtpServer, **extra: Any) -> dict[str, Any]:
    return {
        "protocol": "smtp",
        "authentication.username": "{{secrets.SMTP_USER}}",
        "authentication.password": "{{secrets.SMTP_PASSWORD}}",
        "data.smtpConfig.smtpHost": "127.0.0.1",
        "data.smtpConfig.smtpPort": server.port,
        "data.smtpAction.from": "process@example.com",
        "data.smtpAction.to": "alice@example.com,bob@example.com",
        "data.smtpAction.subject": "Invoice 42",
        "data.smtpAction.body": "Please find the invoice attached.",
        "resultVariable": "sent",
        **extra,
    }


async def test_send_with_an_inline_attachment_completes_with_camundas_result(
    gateway: TestGateway,
    start_worker: Callable[..., Awaitable[Harness]],  # noqa: F811
    smtp_starttls: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    harness = await start_worker(secrets=SECRETS, connectors=(email,))
    before = len(smtp_starttls.received)
    job = await run_modelled(
        gateway,
        smtp_values(
            smtp_starttls,
            **{
                "data.smtpAction.data_smtpAction_attachments_documentMode": "single",
                "data.smtpAction.data_smtpAction_attachments_single_documentSource": "inline",
                "data.smtpAction.data_smtpAction_attachments_single_inline_content": "42,EUR\n",
                "data.smtpAction.data_smtpAction_attachments_single_inline_fileName": "inv.csv",
            },
        ),
        "email-send",
    )
    assert job.state == "completed", job.failures
    [got] = smtp_starttls.received[before:]
    assert got.tls and got.login == USER  # the template's default TLS: STARTTLS
    sent = job.completed_variables["sent"]
    assert sent == {"subject": "Invoice 42", "sent": True, "messageId": got.message["Message-ID"]}
    [attachment] = list(got.message.iter_attachments())
    assert attachment.get_filename() == "inv.csv"
    assert attachment.get_content() == "42,EUR\n"
    # The password never shows in the history or the logs.
    assert harness.history.records and all(PASSWORD not in repr(r) for r in harness.history.records)
    assert PASSWORD not in caplog.text


async def test_bad_credentials_fail_with_retries_minus_one_and_no_code(
    gateway: TestGateway,
    start_worker: Callable[..., Awaitable[Harness]],  # noqa: F811
    smtp_starttls: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "not-the-Pa55word"
    harness = await start_worker(secrets={**SECRETS, "SMTP_PASSWORD": wrong}, connectors=(email,))
    job = await run_modelled(gateway, smtp_values(smtp_starttls), "email-bad-login")
    [failure] = job.failures
    assert failure.retries == 2  # the template's 3 retries, minus one
    assert failure.backoff_ms == 30_000  # the template's PT30S
    assert "Authentication failed" in failure.message and "535" in failure.message
    assert "code" not in failure.variables["error"]  # Camunda: no error code
    assert wrong not in repr(harness.history.records) and wrong not in caplog.text


async def test_an_unreachable_server_fails_with_retries(
    gateway: TestGateway,
    start_worker: Callable[..., Awaitable[Harness]],  # noqa: F811
    smtp_starttls: SmtpServer,
) -> None:
    await start_worker(secrets=SECRETS, connectors=(email,))
    values = smtp_values(smtp_starttls, **{"data.smtpConfig.smtpPort": free_port()})
    job = await run_modelled(gateway, values, "email-unreachable")
    [failure] = job.failures
    assert failure.retries == 2 and "Could not connect" in failure.message
    assert "code" not in failure.variables["error"]  # Camunda: no error code


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"authentication.password": "{{secrets.MISSING}}"}, "Secret with name 'MISSING'"),
        ({"data.smtpAction.to": "not an address"}, "data.smtpAction.to"),
        ({"data.smtpConfig.smtpPort": 70000}, "data.smtpConfig.smtpPort"),
    ],
)
async def test_input_errors_fail_without_retries(
    gateway: TestGateway,
    start_worker: Callable[..., Awaitable[Harness]],  # noqa: F811
    smtp_starttls: SmtpServer,
    change: dict[str, Any],
    reason: str,
) -> None:
    await start_worker(secrets=SECRETS, connectors=(email,))
    job = await run_modelled(gateway, smtp_values(smtp_starttls, **change), "email-bad-input")
    [failure] = job.failures
    assert failure.retries == 0 and reason in failure.message
    assert job.state == "incident"  # no retries left: the engine raises an incident


async def test_imap_read_through_the_template_and_a_result_expression(
    gateway: TestGateway,
    start_worker: Callable[..., Awaitable[Harness]],  # noqa: F811
    dovecot: Dovecot,
    mailbox: MailUser,
) -> None:
    dovecot.append(mailbox, message("<order-7@shop>", "Order 7", text="Ship it"))
    await start_worker(
        secrets={"IMAP_USER": mailbox.username, "IMAP_PASSWORD": mailbox.password},
        connectors=(email,),
    )
    values = {
        "protocol": "imap",
        "data.imapActionDiscriminator": "readEmailImap",
        "authentication.username": "{{secrets.IMAP_USER}}",
        "authentication.password": "{{secrets.IMAP_PASSWORD}}",
        "data.imapConfig.imapHost": "127.0.0.1",
        "data.imapConfig.imapPort": dovecot.imaps_port,  # the template's default TLS: IMAPS
        "data.imapAction.messageId": "<order-7@shop>",
        "resultExpression": "={subject: response.subject, text: plainTextBody}",
    }
    job = await run_modelled(gateway, values, "email-read")
    assert job.state == "completed", job.failures
    assert job.completed_variables == {"subject": "Order 7", "text": "Ship it\r\n"}


async def test_imap_list_with_a_reusable_credential(
    gateway: TestGateway,
    start_worker: Callable[..., Awaitable[Harness]],  # noqa: F811
    dovecot: Dovecot,
    mailbox: MailUser,
) -> None:
    """emailAccountConfiguration (Camunda 8.10 credential) wins over the inline fields."""
    dovecot.append(mailbox, message("<m1@test>", "First"))
    await start_worker(secrets={"IMAP_PASSWORD": mailbox.password}, connectors=(email,))
    values = {
        "protocol": "imap",
        "data.imapActionDiscriminator": "listEmailsImap",
        "emailAccountConfiguration": {
            "protocol": "imap",
            "username": mailbox.username,
            "password": "{{secrets.IMAP_PASSWORD}}",
            "imapHost": "127.0.0.1",
            "imapPort": dovecot.imaps_port,
            "imapCryptographicProtocol": "TLS",
        },
        "resultVariable": "emails",
    }
    job = await run_modelled(gateway, values, "email-list-credential")
    assert job.state == "completed", job.failures
    [listed] = job.completed_variables["emails"]
    assert listed["messageId"] == "<m1@test>" and listed["subject"] == "First"
