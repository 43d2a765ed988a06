"""The e-mail connector: drop-in for Camunda's ``io.camunda:email:1`` (element template
``io.camunda.connectors.email.v1``): send over SMTP; list, search, read, delete and move over
IMAP; list, search, read and delete over POP3.

Behaviour and result shapes follow camunda/connectors ``connectors/email`` (cited per module).
"""

from __future__ import annotations

from typing import Any

from connectors import _http
from connectors.email import actions
from connectors.email.config import EmailConfig
from connectors.email.models import (
    EmailInput,
    ImapData,
    ImapDeleteEmail,
    ImapListEmails,
    ImapMoveEmail,
    ImapReadEmail,
    ImapSearchEmails,
    Pop3Data,
    Pop3DeleteEmail,
    Pop3ListEmails,
    Pop3ReadEmail,
    Pop3SearchEmails,
)
from connectors.email.request import effective
from connectors.email.state import aclose as _aclose_email
from connectors.sdk import Group, outbound_connector

TYPE = "io.camunda:email:1"
TEMPLATE_ID = "io.camunda.connectors.email.v1"
INPUT_VARIABLES = ("authentication", "protocol", "data", "emailAccountConfiguration")


@outbound_connector(
    name="Email Connector",
    type=TYPE,
    version=8,
    input_variables=INPUT_VARIABLES,
    description="Execute email requests",
    documentation_url=(
        "https://docs.camunda.io/docs/components/connectors/out-of-the-box-connectors/email/"
    ),
    template_id=TEMPLATE_ID,
    icon="icon.svg",
    groups=(
        Group("operation", "Operation"),
        Group("authentication", "Authentication"),
        Group("sendEmailSmtp", "Send Email"),
        Group("listEmailsPop3", "List Emails"),
        Group("searchEmailsPop3", "Search Emails"),
        Group("deleteEmailPop3", "Delete Email"),
        Group("readEmailPop3", "Read Email"),
        Group("listEmailsImap", "List Emails"),
        Group("searchEmailsImap", "Search Emails"),
        Group("readEmailImap", "Read Email"),
        Group("deleteEmailImap", "Delete Email"),
        Group("moveEmailImap", "Move Emails"),
        Group("protocol", "Protocol"),
    ),
)
async def email(data: EmailInput) -> Any:
    server, login = effective(data)
    request = data.data
    if isinstance(request, ImapData):
        action = request.imapAction
        if isinstance(action, ImapListEmails):
            return await actions.imap_list(action, server, login)
        if isinstance(action, ImapSearchEmails):
            return await actions.imap_search(action, server, login)
        if isinstance(action, ImapReadEmail):
            return await actions.imap_read(action, server, login)
        if isinstance(action, ImapDeleteEmail):
            return await actions.imap_delete(action, server, login)
        assert isinstance(action, ImapMoveEmail)
        return await actions.imap_move(action, server, login)
    if isinstance(request, Pop3Data):
        pop = request.pop3Action
        if isinstance(pop, Pop3ListEmails):
            return await actions.pop3_list(pop, server, login)
        if isinstance(pop, Pop3SearchEmails):
            return await actions.pop3_search(pop, server, login)
        if isinstance(pop, Pop3ReadEmail):
            return await actions.pop3_read(pop, server, login)
        assert isinstance(pop, Pop3DeleteEmail)
        return await actions.pop3_delete(pop, server, login)
    return await actions.send_email(request.smtpAction, server, login)


async def aclose() -> None:
    """Close this loop's mail connections (and the HTTP client used for URL attachments)."""
    await _aclose_email()
    await _http.aclose()


def check_environment() -> None:
    """Validate the e-mail settings and load the CA file now, not at the first job."""
    EmailConfig.from_env().ssl_context()


email = email.with_overrides(
    # Same template version and retry backoff default as Camunda's newest official template.
    extra={
        "startup_check": check_environment,
        "shutdown": aclose,
        "template_retry_backoff": "PT30S",
    },
)

__all__ = ["INPUT_VARIABLES", "TEMPLATE_ID", "TYPE", "EmailInput", "aclose", "email"]
