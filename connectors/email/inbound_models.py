"""Properties of the e-mail inbound connector, bound as Camunda's official templates write them
as ``zeebe:property`` (``io.camunda.connectors.inbound.EmailMessageStart.v1`` and its
intermediate, boundary and receive-task siblings, version 3): ``emailAccountConfiguration``,
``authentication.type|username|password``, ``data.imapConfig.imapHost|imapPort|
imapCryptographicProtocol``, ``data.folderToListen``, ``data.pollingWaitTime``,
``data.pollingConfigDiscriminator`` and ``data.pollingConfig.handlingStrategy|targetFolder``.

Facts: camunda/connectors ``connectors/email/src/main/java/io/camunda/connector/email/inbound/
model/`` (``EmailInboundConnectorProperties``, ``EmailListenerConfig``: folder INBOX when
blank, ``pollingWaitTime`` default PT20S; ``PollUnseen``: READ, DELETE or MOVE, default READ;
``PollAll``: DELETE or MOVE, default DELETE; the discriminator stored beside the polling
configuration, as Jackson's ``EXTERNAL_PROPERTY``) and ``authentication/InboundAuthentication``
(``simple`` only).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from connectors.email.models import (
    CRYPTO_CHOICES,
    REQUIRED,
    WITHOUT_ACCOUNT,
    Crypto,
    _Lenient,
    _required_text,
    _tag,
)
from connectors.sdk import Choice, Condition, Configuration, Property
from connectors.sdk.durations import java_duration
from connectors.sdk.inbound import FEEL
from connectors.sdk.validators import blank_to_none, scalar_text, upper_text

EMAIL_ACCOUNT_IMAP = Configuration(
    id="io.camunda.connectors:email-account-imap:1",
    name="Email Account (Inbound)",
    version=1,
)
DEFAULT_POLLING_WAIT = dt.timedelta(seconds=20)
Strategy = Literal["READ", "DELETE", "MOVE"]
STRATEGY_LABELS = {
    "READ": "Mark as read after processing",
    "DELETE": "Delete after processing",
    "MOVE": "Move to another folder after processing",
}
TARGET_TOOLTIP = (
    "Specify the destination folder to which the emails will be moved. To create a new folder "
    "or a hierarchy of folders, use a dot-separated path (e.g., 'Archive' or "
    "'Projects.2023.January'). If any part of the path does not exist, it will be created "
    "automatically."
)

InboundText = Annotated[
    str | None, BeforeValidator(scalar_text), FEEL, BeforeValidator(blank_to_none)
]


def _polling_wait(value: Any) -> Any:
    value = blank_to_none(value)
    if value is None or isinstance(value, dt.timedelta):
        return value
    duration = java_duration(str(value))
    if duration is None:
        raise ValueError(f"must be an ISO-8601 duration such as PT20S, not {str(value)[:40]!r}")
    return duration


def _port(value: Any) -> Any:
    value = blank_to_none(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


# --- authentication -----------------------------------------------------------------------


class InboundSimpleAuthentication(_Lenient):
    """Username and password."""

    type: Annotated[
        Literal["simple"],
        Property(
            label="Authentication",
            group="authentication",
            type="Dropdown",
            value="simple",
            choices=(Choice("simple", "Simple"),),
            description="Specify the Email authentication strategy.",
        ),
    ] = "simple"
    username: Annotated[
        InboundText,
        _required_text(
            "Username",
            "authentication",
            "Enter your full email address (e.g., user@example.com) or the username provided "
            "by your email service.",
        ),
    ] = None
    password: Annotated[
        InboundText,
        _required_text(
            "Email password",
            "authentication",
            "Enter the password associated with your email account.",
            secret=True,
        ),
    ] = None

    def __repr_args__(self) -> Any:  # repr() and str() never show the password
        yield "username", self.username
        yield "password", "<redacted>"


class InboundEmailAccount(_Lenient):
    """A stored IMAP login (Camunda 8.10 configuration ``email-account-imap``)."""

    username: Annotated[
        InboundText,
        Property(label="Username", group="authentication", secret=True, extra=REQUIRED),
    ] = None
    password: Annotated[
        InboundText,
        Property(label="Email password", group="authentication", secret=True, extra=REQUIRED),
    ] = None
    imapHost: Annotated[
        InboundText, Property(label="IMAP host", group="protocol", extra=REQUIRED)
    ] = None
    imapPort: Annotated[
        int | None,
        BeforeValidator(_port),
        Property(label="IMAP port", group="protocol", type="String", value="993", extra=REQUIRED),
    ] = 993
    imapCryptographicProtocol: Annotated[
        Crypto | None,
        Property(
            label="IMAP encryption protocol",
            group="protocol",
            value="TLS",
            choices=CRYPTO_CHOICES,
            extra=REQUIRED,
        ),
    ] = None

    def __repr_args__(self) -> Any:  # repr() and str() never show the login
        for name, value in super().__repr_args__():
            yield name, "<redacted>" if name in ("username", "password") else value


# --- the listener -------------------------------------------------------------------------


class InboundImapConfig(_Lenient):
    imapHost: Annotated[
        InboundText,
        _required_text(
            "IMAP Host", "protocol", "Enter the address of the IMAP server (e.g. imap.gmail.com)."
        ),
    ] = None
    imapPort: Annotated[
        int | None,
        BeforeValidator(_port),
        FEEL,
        BeforeValidator(blank_to_none),
        Property(
            label="IMAP Port",
            group="protocol",
            type="String",
            feel="optional",
            value="993",
            optional=False,
            extra=REQUIRED,
            tooltip="Enter the port number for connecting to the IMAP server. Common ports are "
            "993 for secure connections using SSL/TLS, or 143 for non-secure connections.",
        ),
    ] = 993
    imapCryptographicProtocol: Annotated[
        Crypto,
        Property(
            label="Cryptographic protocol", group="protocol", value="TLS", choices=CRYPTO_CHOICES
        ),
    ] = "TLS"


def _strategy(variant: str, default: str, allowed: tuple[str, ...]) -> Property:
    return Property(
        label="Handling strategy",
        group=variant,
        type="Dropdown",
        tooltip="Choose the desired handling strategy",
        value=default,
        choices=tuple(Choice(s, STRATEGY_LABELS[s]) for s in allowed),
        extra=REQUIRED,
    )


def _target(variant: str) -> Property:
    return Property(
        label="Choose the target folder",
        group=variant,
        tooltip=TARGET_TOOLTIP,
        condition=Condition("handlingStrategy", equals="MOVE"),
        optional=False,
        extra=REQUIRED,
    )


class PollUnseen(_Lenient):
    """Poll the folder's unseen messages."""

    pollingConfigDiscriminator: Annotated[
        Literal["unseenPollingConfig"],
        Property(label="Poll unseen emails", binding="data.pollingConfigDiscriminator"),
    ]
    handlingStrategy: Annotated[
        Strategy,
        BeforeValidator(upper_text),
        FEEL,
        _strategy("unseenPollingConfig", "READ", ("READ", "DELETE", "MOVE")),
    ] = "READ"
    targetFolder: Annotated[InboundText, _target("unseenPollingConfig")] = None


class PollAll(_Lenient):
    """Poll every message of the folder (each is deleted or moved once processed)."""

    pollingConfigDiscriminator: Annotated[
        Literal["allPollingConfig"],
        Property(label="Poll all emails", binding="data.pollingConfigDiscriminator"),
    ]
    handlingStrategy: Annotated[
        Literal["DELETE", "MOVE"],
        BeforeValidator(upper_text),
        FEEL,
        _strategy("allPollingConfig", "DELETE", ("DELETE", "MOVE")),
    ] = "DELETE"
    targetFolder: Annotated[InboundText, _target("allPollingConfig")] = None


class EmailListenerData(_Lenient):
    imapConfig: Annotated[InboundImapConfig, WITHOUT_ACCOUNT] = Field(
        default_factory=InboundImapConfig
    )
    folderToListen: Annotated[
        InboundText,
        Property(
            label="Folder to listen",
            group="listenerInfos",
            feel="optional",
            optional=True,
            tooltip="Enter the names of the folder you wish to monitor. If left blank, the "
            "listener will default to monitoring the 'INBOX' folder.",
        ),
    ] = None
    pollingWaitTime: Annotated[
        dt.timedelta | None,
        BeforeValidator(_polling_wait),
        FEEL,
        Property(
            label="Polling wait time",
            group="listenerInfos",
            type="String",
            value="PT20S",
            optional=False,
            tooltip="The duration for which the task will wait for a message to arrive in the "
            "mailbox before correlating",
        ),
    ] = None
    pollingConfig: Annotated[
        PollUnseen | PollAll,
        Field(discriminator="pollingConfigDiscriminator"),
        Property(label="Polling configuration", group="listenerInfos", value="unseenPollingConfig"),
    ]

    @model_validator(mode="before")
    @classmethod
    def _tag_polling(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("pollingConfigDiscriminator") is None:
            # The template's default, when an older modeler left it out.
            value = {**value, "pollingConfigDiscriminator": "unseenPollingConfig"}
        return _tag(value, "pollingConfig", "pollingConfigDiscriminator")

    @property
    def wait(self) -> dt.timedelta:
        return self.pollingWaitTime or DEFAULT_POLLING_WAIT


class EmailInboundProperties(_Lenient):
    """Everything an element of ``io.camunda:connector-email-inbound:1`` carries."""

    email_account_configuration: Annotated[
        InboundEmailAccount | None,
        BeforeValidator(blank_to_none),
        FEEL,
        Field(alias="emailAccountConfiguration"),
        Property(
            label="Email account credential",
            group="authentication",
            optional=True,
            description="Choose a reusable IMAP email account credential, or configure "
            "one-time email parameters below.",
            configuration=EMAIL_ACCOUNT_IMAP,
        ),
    ] = None
    authentication: Annotated[
        InboundSimpleAuthentication,
        WITHOUT_ACCOUNT,
        Property(
            label="Authentication",
            group="authentication",
            value="simple",
            description="Specify the Email authentication strategy.",
        ),
    ] = Field(default_factory=InboundSimpleAuthentication)
    data: EmailListenerData
