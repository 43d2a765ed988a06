"""The e-mail inbound connector: drop-in for Camunda's ``io.camunda:connector-email-inbound:1``
(element templates ``io.camunda.connectors.inbound.EmailMessageStart.v1``,
``.EmailIntermediate.v1``, ``.EmailBoundary.v1``, ``.EmailReceive.v1``): poll an IMAP folder
and correlate every e-mail.

Behaviour follows camunda/connectors ``connectors/email/src/main/java/io/camunda/connector/
email/client/jakarta/inbound/PollingManager.java`` and ``JakartaEmailListener.java``:

- every ``pollingWaitTime`` (fixed delay, the first poll at once) the folder (``INBOX`` when
  blank) is opened read-write and searched: unseen messages (``unseenPollingConfig``) or all
  of them (``allPollingConfig``), in mailbox order;
- each message is read without marking it seen, logged (``Processing email: <id>``, tag
  ``new-email``) and correlated with the variables of ``ReadEmailResponse`` (``messageId``,
  ``fromAddress``, ``headers``, ``subject``, ``size``, ``plainTextBody``, ``htmlBody``,
  ``attachments``, ``receivedDateTime``, ``errors``) and its ``Message-ID`` as the message id;
- a message counts as processed when it was correlated (or its message id is still buffered),
  or when no activation condition matched and ``consumeUnmatchedEvents`` is set; then the
  handling strategy applies: READ sets ``\\Seen``, DELETE deletes it, MOVE sets ``\\Seen`` and
  moves it to ``targetFolder`` (created, a dotted path, when missing). Any other outcome
  leaves the message as it was, so the next poll sees it again;
- a poll that fails reports health DOWN and logs the error (tag ``mail-polling``); polling
  goes on. Until the first connection succeeds it is retried with a backoff from 5 seconds to
  one hour (Camunda's Failsafe policy); a refused login before that stops the listener, as in
  Camunda, with health DOWN and the error.

What differs, each for a reason, is in docs/connectors/email.md ("Inbound").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from connectors.email import imap
from connectors.email.errors import EmailAuthenticationError, EmailError
from connectors.email.imap import ImapSession
from connectors.email.inbound_models import (
    EmailInboundProperties,
    InboundEmailAccount,
    InboundImapConfig,
    InboundSimpleAuthentication,
    PollAll,
)
from connectors.email.parse import parse
from connectors.email.request import Login, Security, Server, _server
from connectors.email.state import state
from connectors.sdk import ConnectorInputError, FieldError, Group
from connectors.sdk.inbound import (
    ActivationConditionNotMet,
    AlreadyCorrelated,
    Correlated,
    CorrelationResult,
    Health,
    InboundContext,
    inbound_connector,
)

log = logging.getLogger("switchboard.connectors.email")

INBOUND_TYPE = "io.camunda:connector-email-inbound:1"
TEMPLATE_VERSION = 3  # the newest official templates in @camunda/connectors-element-templates
FIRST_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 3600.0


def processed(result: CorrelationResult) -> bool:
    """Whether the handling strategy applies (``PollingManager.process`` and ``correlate``)."""
    if isinstance(result, Correlated | AlreadyCorrelated):
        return True
    if isinstance(result, ActivationConditionNotMet):
        return result.consume
    return False


def target_of(props: EmailInboundProperties) -> tuple[Server, Login]:
    """The IMAP server and login: a reusable credential wins over the inline fields."""
    account = props.email_account_configuration
    login: InboundEmailAccount | InboundSimpleAuthentication = props.authentication
    server: InboundEmailAccount | InboundImapConfig = props.data.imapConfig
    prefix = ""
    if account is not None:
        prefix, login, server = "emailAccountConfiguration.", account, account
    fields = {
        f"{prefix or 'authentication.'}username": login.username,
        f"{prefix or 'authentication.'}password": login.password,
        f"{prefix or 'data.imapConfig.'}imapHost": server.imapHost,
        f"{prefix or 'data.imapConfig.'}imapPort": server.imapPort,
    }
    missing = [FieldError(name, "required") for name, value in fields.items() if value is None]
    if missing:
        noun = "property" if len(missing) == 1 else "properties"
        details = "; ".join(str(e) for e in missing)
        raise ConnectorInputError(f"Invalid properties ({len(missing)} {noun}): {details}", missing)
    assert server.imapHost is not None
    port_field = f"{prefix or 'data.imapConfig.'}imapPort"
    security: Security = server.imapCryptographicProtocol or "TLS"
    imap_server = _server("imap", server.imapHost, server.imapPort, security, port_field)
    return imap_server, Login(login.username, login.password)


@inbound_connector(
    name="Email Consumer",
    type=INBOUND_TYPE,
    properties=EmailInboundProperties,
    element_kinds=(
        "message_start_event",
        "intermediate_catch_event",
        "boundary_event",
        "receive_task",
    ),
    version=TEMPLATE_VERSION,
    template_ids={
        "message_start_event": "io.camunda.connectors.inbound.EmailMessageStart.v1",
        "intermediate_catch_event": "io.camunda.connectors.inbound.EmailIntermediate.v1",
        "boundary_event": "io.camunda.connectors.inbound.EmailBoundary.v1",
        "receive_task": "io.camunda.connectors.inbound.EmailReceive.v1",
    },
    documentation_url=(
        "https://docs.camunda.io/docs/components/connectors/out-of-the-box-connectors/email"
    ),
    description="Consume emails",
    groups=(
        Group("authentication", "Authentication"),
        Group("protocol", "Imap Details"),
        Group("listenerInfos", "Listener information"),
        Group("unseenPollingConfig", "After process"),
        Group("allPollingConfig", "After process"),
    ),
    extra={"runtime_properties_omitted": ("synchronousResponse",)},
)
class EmailConsumer:
    """Poll an IMAP folder and correlate each e-mail (see the module doc)."""

    context: InboundContext
    props: EmailInboundProperties
    server: Server
    login: Login
    polls: int = 0
    _task: asyncio.Task[None] | None = None

    async def activate(self, context: InboundContext) -> None:
        self.context = context
        self.props = context.bind(EmailInboundProperties)
        config = self.props.data.pollingConfig
        if config.handlingStrategy == "MOVE" and not config.targetFolder:
            raise ConnectorInputError(
                "data.pollingConfig.targetFolder: required when the handling strategy is MOVE",
                errors=[FieldError("data.pollingConfig.targetFolder", "required for MOVE")],
            )
        if self.props.data.wait.total_seconds() <= 0:
            raise ConnectorInputError(
                "data.pollingWaitTime: must be a positive ISO-8601 duration, e.g. PT20S"
            )
        self.server, self.login = target_of(self.props)
        where = f"{self.server.host}:{self.server.port}"
        self._task = asyncio.create_task(self._run(), name=f"email-inbound {where}")
        context.log(
            f"Listening to folder {self.folder} at {where}, every "
            f"{self.props.data.wait.total_seconds():g} s",
            tag="Activation",
        )

    @property
    def folder(self) -> str:
        return self.props.data.folderToListen or imap.INBOX

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def deactivate(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        attempts = 0
        connected = False
        while True:
            try:
                await self.poll()
                connected = True
                self.context.report_health(Health.up(folder=self.folder))
            except EmailAuthenticationError as exc:
                self.context.report_health(Health.down(exc.message))
                self.context.log(exc.message, severity="ERROR", tag="Authentication error")
                if not connected:
                    return  # Camunda does not retry a refused login when the listener starts
            except EmailError as exc:
                self.context.report_health(Health.down(exc.message))
                if not connected:
                    attempts += 1
                    self.context.log(
                        f"Retrying after attempt {attempts} failed: {exc.message}",
                        severity="WARNING",
                        tag="Context creation",
                    )
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    continue
                self.context.log(exc.message, severity="ERROR", tag="mail-polling")
            except Exception as exc:  # never let the listener die
                log.exception("e-mail inbound: a poll failed")
                self.context.report_health(Health.down(f"Polling failed: {type(exc).__name__}"))
                self.context.log(
                    f"Polling failed: {type(exc).__name__}", severity="ERROR", tag="mail-polling"
                )
            await asyncio.sleep(self.props.data.wait.total_seconds())

    async def poll(self) -> int:
        """One poll: correlate what the folder holds; returns how many were processed."""
        self.polls += 1
        current = state()
        config = self.props.data.pollingConfig
        query = "ALL" if isinstance(config, PollAll) else "UNSEEN"
        count = 0
        async with imap.session(current, self.server, self.login) as session:

            async def run(work: Any, *args: Any) -> Any:
                return await imap.call(current, session, self.server, lambda s: work(s, *args))

            uids: list[int] = await run(_open_and_search, self.folder, query)
            for uid in uids:
                fetched = await run(_fetch, uid)
                if fetched is None:
                    continue  # gone meanwhile (another client)
                email = parse(
                    fetched.data, with_body=True, size=fetched.size, received_at=fetched.received_at
                )
                message_id = email.message_id
                self.context.log(f"Processing email: {message_id}", tag="new-email")
                result = await self.context.correlate(
                    email.read_response(), message_id=message_id or None
                )
                if not processed(result):
                    continue
                await run(_handle, uid, config.handlingStrategy, config.targetFolder)
                count += 1
        return count


def _open_and_search(session: ImapSession, folder: str, query: str) -> list[int]:
    session.open_folder(session.folder(folder), writable=True)
    return session.search(query)


def _fetch(session: ImapSession, uid: int) -> Any:
    found = session.fetch(str(uid), body=True)
    return found[0] if found else None


def _handle(session: ImapSession, uid: int, strategy: str, target: str | None) -> None:
    if strategy == "READ":
        session.mark_seen(uid)
    elif strategy == "DELETE":
        session.delete(uid)
    else:
        assert target is not None
        session.mark_seen(uid)
        mailbox = session.mailbox(target)
        if not session.exists(mailbox):
            session.create(mailbox)  # IMAP CREATE makes the missing levels above it too
        session.move(uid, mailbox)


__all__ = ["INBOUND_TYPE", "EmailConsumer", "processed", "target_of"]
