"""The e-mail inbound connector end to end: a BPMN shaped by Camunda's official e-mail inbound
templates (npm @camunda/connectors-element-templates ``email-inbound-connector-intermediate.json``
and ``email-message-start-event-connector.json``, applied as the modeler does), deployed through
Switchboard to the test gateway (real gRPC), polling a real Dovecot IMAP server on loopback.

Facts (camunda/connectors ``connectors/email/src/main/java/io/camunda/connector/email/``):
- ``client/jakarta/inbound/PollingManager.java``: unseen (``FlagTerm SEEN false``) or all
  messages, read with ``setPeek(true)``; the variables are ``ReadEmailResponse`` and the
  message id the ``Message-ID``; a correlated message, or an unmatched one with
  ``consumeUnmatchedEvents``, gets the handling strategy (READ: seen; DELETE; MOVE: seen, then
  moved to the target folder); anything else is left for the next poll;
- ``client/jakarta/inbound/JakartaEmailListener.java``: the first poll at once, then every
  ``pollingWaitTime``; a failed poll reports health DOWN and polling goes on;
- ``inbound/model/*.java``: the properties, INBOX when no folder is given.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from app.runtime.engine import InstanceToCreate
from tests.email.messages import message
from tests.inbound.conftest import Served, clean_inbound, serve_app
from tests.inbound.conftest import inbound_db as inbound_db  # PostgreSQL at head
from tests.support.dovecot import Dovecot, MailUser
from tests.support.gateway import TestGateway
from tests.support.modeler import apply_inbound_template
from tests.support.waiting import eventually
from tests.templates.official import official_template

INTERMEDIATE = "io.camunda.connectors.inbound.EmailIntermediate.v1"
MESSAGE_START = "io.camunda.connectors.inbound.EmailMessageStart.v1"
PASSWORD_SECRET = "MAIL_INBOUND_PASSWORD"


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


@pytest.fixture
def password_secret(mailbox: MailUser) -> Iterator[None]:
    os.environ["SECRET_" + PASSWORD_SECRET] = mailbox.password
    yield None
    os.environ.pop("SECRET_" + PASSWORD_SECRET, None)


@contextlib.asynccontextmanager
async def app(inbound_db: str, gateway: TestGateway) -> AsyncIterator[Served]:
    await clean_inbound(inbound_db)
    async with serve_app(inbound_db, gateway) as served:
        yield served


def listener(dovecot: Dovecot, user: MailUser, **values: Any) -> dict[str, Any]:
    return {
        "authentication.simpleAuthenticationUsername": user.username,
        "authentication.simpleAuthenticationPassword": f"{{{{secrets.{PASSWORD_SECRET}}}}}",
        "data.imapHost": "127.0.0.1",
        "data.imapPort": str(dovecot.imap_port),
        "imapCryptographicProtocol": "NONE",
        "pollingWaitTime": "PT0.1S",
        "correlationKeyProcess": "=orderId",
        "correlationKeyPayload": "=subject",
        "resultExpression": "={sender: fromAddress, text: plainTextBody, id: messageId}",
        **values,
    }


async def deploy(
    served: Served, template: str, values: dict[str, Any], process: str, state: str = "active"
) -> Any:
    applied = apply_inbound_template(official_template(template), values)
    response = await served.deploy((f"{process}.bpmn", applied.bpmn(process)))
    assert response.status_code == 200, response.text
    [process_info] = response.json()["processes"]
    [element] = response.json()["inboundElements"]
    assert element["type"] == "io.camunda:connector-email-inbound:1"
    assert element["state"] == state, element
    return applied, int(process_info["processDefinitionKey"]), element


async def start(served: Served, key: int, variables: dict[str, Any]) -> int:
    zeebe = served.app.services.engine("zeebe")
    created = await zeebe.create_process_instance(  # type: ignore[union-attr]
        InstanceToCreate(process_definition_key=key, variables=variables)
    )
    return created.process_instance_key


def flags(dovecot: Dovecot, user: MailUser, folder: str = "INBOX") -> list[str]:
    client = dovecot.imap(user)
    try:
        _, count = client.select(folder, readonly=True)
        if count == [b"0"]:
            return []
        _, data = client.fetch("1:*", "(FLAGS)")
        return [item.decode() for item in data if isinstance(item, bytes)]
    finally:
        client.logout()


def mail_id() -> str:
    return f"<{uuid.uuid4().hex}@example.com>"


async def element_of(served: Served) -> dict[str, Any]:
    [element] = await served.inbound()
    return dict(element)


async def test_an_email_correlates_to_the_waiting_instance_and_is_marked_read(
    inbound_db: str,
    gateway: TestGateway,
    dovecot: Dovecot,
    mailbox: MailUser,
    password_secret: None,
) -> None:
    async with app(inbound_db, gateway) as served:
        applied, key, _ = await deploy(served, INTERMEDIATE, listener(dovecot, mailbox), "mail")
        instance = await start(served, key, {"orderId": "Order o-1"})
        first = mail_id()
        dovecot.append(mailbox, message(first, "Order o-1", text="Shipped."))

        await eventually(lambda: gateway.messages, what="the published message", within=10)
        [published] = gateway.messages
        assert (published.name, published.correlationKey, published.messageId) == (
            applied.message_name,
            "Order o-1",
            first,  # the Message-ID, as Camunda's CorrelationRequest.messageId
        )
        variables = json.loads(published.variables)
        assert variables == {"sender": "bob@example.com", "text": "Shipped.\r\n", "id": first}
        assert gateway.instances[instance].state == "completed"
        await eventually(lambda: "\\Seen" in " ".join(flags(dovecot, mailbox)), what="seen")

        element = await element_of(served)
        assert element["health"]["status"] == "UP"
        messages = [a["message"] for a in element["activity"]]
        assert f"Processing email: {first}" in messages
        # Read: an unseen poll does not see it again.
        polls = served.app.services.inbound.executables
        consumer = next(iter(polls.values())).instance
        seen_at = consumer.polls
        await eventually(lambda: consumer.polls >= seen_at + 3, what="three more polls")
        assert len(gateway.messages) == 1


@pytest.mark.parametrize("consume", [True, False])
async def test_an_unmatched_email_is_handled_only_when_unmatched_events_are_consumed(
    inbound_db: str,
    gateway: TestGateway,
    dovecot: Dovecot,
    mailbox: MailUser,
    password_secret: None,
    consume: bool,
) -> None:
    async with app(inbound_db, gateway) as served:
        values = listener(
            dovecot,
            mailbox,
            activationCondition='=subject = "wanted"',
            consumeUnmatchedEvents=consume,
        )
        await deploy(served, INTERMEDIATE, values, "unmatched")
        dovecot.append(mailbox, message(mail_id(), "something else"))
        consumer = next(iter(served.app.services.inbound.executables.values())).instance
        await eventually(lambda: consumer.polls >= 3, what="three polls")
        assert gateway.messages == []
        seen = "\\Seen" in " ".join(flags(dovecot, mailbox))
        assert seen is consume


async def test_poll_all_and_move_to_a_new_folder_path(
    inbound_db: str,
    gateway: TestGateway,
    dovecot: Dovecot,
    mailbox: MailUser,
    password_secret: None,
) -> None:
    async with app(inbound_db, gateway) as served:
        values = listener(
            dovecot,
            mailbox,
            **{
                "data.pollingConfigDiscriminator": "allPollingConfig",
                "data.pollingConfig.allHandlingStrategy": "MOVE",
                "allTargetFolder": "Archive.Processed",
                "data.folderToListen": "Orders",
            },
        )
        _, key, _ = await deploy(served, INTERMEDIATE, values, "moving")
        await start(served, key, {"orderId": "Order o-2"})
        moved = mail_id()
        dovecot.append(mailbox, message(moved, "Order o-2"), folder="Orders")

        async def archived() -> list[str] | None:
            return dovecot.message_ids(mailbox, "Archive.Processed") or None

        assert await eventually(archived, what="the e-mail moved", within=10) == [moved]
        assert dovecot.message_ids(mailbox, "Orders") == []
        assert "\\Seen" in " ".join(flags(dovecot, mailbox, "Archive.Processed"))
        [published] = gateway.messages
        assert published.messageId == moved


async def test_a_message_start_event_starts_one_instance_per_email_and_deletes_them(
    inbound_db: str,
    gateway: TestGateway,
    dovecot: Dovecot,
    mailbox: MailUser,
    password_secret: None,
) -> None:
    async with app(inbound_db, gateway) as served:
        values = listener(
            dovecot,
            mailbox,
            **{"data.pollingConfig.unseenHandlingStrategy": "DELETE"},
        )
        await deploy(served, MESSAGE_START, values, "inbox")
        ids = [mail_id(), mail_id()]
        for number, each in enumerate(ids):
            dovecot.append(mailbox, message(each, f"Order o-{number}"))

        await eventually(lambda: len(gateway.instances) == 2, what="two instances", within=10)
        assert sorted(m.messageId for m in gateway.messages) == sorted(ids)
        await eventually(lambda: dovecot.message_ids(mailbox) == [], what="INBOX emptied")


async def test_a_refused_login_reports_down_and_stops(
    inbound_db: str, gateway: TestGateway, dovecot: Dovecot, mailbox: MailUser
) -> None:
    os.environ["SECRET_" + PASSWORD_SECRET] = "wrong-password-123"
    try:
        async with app(inbound_db, gateway) as served:
            await deploy(served, INTERMEDIATE, listener(dovecot, mailbox), "refused")

            async def down() -> dict[str, Any] | None:
                element = await element_of(served)
                return element if element["health"]["status"] == "DOWN" else None

            element = await eventually(down, what="health DOWN", within=10)
            assert "Authentication failed" in element["health"]["error"]
            assert "wrong-password-123" not in json.dumps(element)
            consumer = next(iter(served.app.services.inbound.executables.values())).instance
            await eventually(lambda: not consumer.running, what="the listener stopped")
    finally:
        os.environ.pop("SECRET_" + PASSWORD_SECRET, None)


async def test_move_without_a_target_folder_fails_the_element(
    inbound_db: str,
    gateway: TestGateway,
    dovecot: Dovecot,
    mailbox: MailUser,
    password_secret: None,
) -> None:
    async with app(inbound_db, gateway) as served:
        values = listener(dovecot, mailbox, **{"data.pollingConfig.unseenHandlingStrategy": "MOVE"})
        _, _, element = await deploy(served, INTERMEDIATE, values, "nowhere", state="failed")
        assert "data.pollingConfig.targetFolder" in element["error"]


def test_a_reusable_credential_wins_over_the_inline_fields_and_missing_ones_are_named() -> None:
    from connectors.email.inbound import target_of
    from connectors.email.inbound_models import EmailInboundProperties
    from connectors.sdk import ConnectorInputError

    base = {"data": {"pollingConfigDiscriminator": "unseenPollingConfig"}}
    account = {
        "username": "u",
        "password": "Acct-Secret-9",
        "imapHost": "127.0.0.1",
        "imapPort": "1143",
        "imapCryptographicProtocol": "NONE",
    }
    props = EmailInboundProperties.model_validate(
        {**base, "emailAccountConfiguration": account, "authentication": {"username": "x"}}
    )
    server, login = target_of(props)
    assert (server.host, server.port, server.security) == ("127.0.0.1", 1143, "NONE")
    assert (login.username, login.password) == ("u", "Acct-Secret-9")
    assert "Acct-Secret-9" not in repr(props) + str(props)

    inline = EmailInboundProperties.model_validate({**base, "authentication": {"username": "x"}})
    with pytest.raises(ConnectorInputError) as refused:
        target_of(inline)
    assert str(refused.value.message) == (
        "Invalid properties (2 properties): authentication.password: required; "
        "data.imapConfig.imapHost: required"
    )
