"""Inputs of the e-mail connector, bound under the names of Camunda's official template
``io.camunda.connectors.email.v1`` (npm ``@camunda/connectors-element-templates``).

The shapes follow camunda/connectors ``connectors/email/src/main/java/io/camunda/connector/
email/outbound/model/EmailRequest.java`` and ``.../outbound/protocols/**``: ``protocol``
chooses the variant of ``data``, and ``data.<protocol>ActionDiscriminator`` the action, both
stored *beside* the object they select. The before-validators copy them in so pydantic can
validate the discriminated unions.

Fields that a reusable credential (``emailAccountConfiguration``) replaces are lenient here
(the modeler may still send leftover defaults); :mod:`connectors.email.request` checks the
ones that win.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from connectors.email import attachments as docs
from connectors.sdk import Choice, Condition, Configuration, Property
from connectors.sdk.validators import blank_to_none, upper_text

CryptographicProtocol = Literal["TLS", "SSL", "NONE"]
SortOrder = Literal["ASC", "DESC"]
ContentType = Literal["PLAIN", "HTML", "MULTIPART"]

CRYPTO_CHOICES = (Choice("TLS", "TLS"), Choice("SSL", "SSL"), Choice("NONE", "None"))
ORDER_CHOICES = (Choice("ASC", "ASC"), Choice("DESC", "DESC"))
REQUIRED = {"constraints": {"notEmpty": True}}
NOT_REQUIRED = {"constraints": {"notEmpty": False}}

EMAIL_ACCOUNT = Configuration(
    id="io.camunda.connectors:email-account:1",
    name="Email Account (Outbound)",
    version=1,
)


Crypto = Annotated[CryptographicProtocol, BeforeValidator(upper_text)]
Text = Annotated[str | None, BeforeValidator(blank_to_none)]


class _Lenient(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


def _required_text(label: str, group: str, tooltip: str | None = None, **kw: Any) -> Property:
    return Property(
        label=label,
        group=group,
        feel="optional",
        tooltip=tooltip,
        optional=False,
        extra=REQUIRED,
        **kw,
    )


# --- authentication -----------------------------------------------------------------------


class SimpleAuthentication(_Lenient):
    """Username and password (checked when they are the ones used)."""

    type: Annotated[Literal["simple"], Property(label="Simple")]
    username: Annotated[
        str | None,
        _required_text(
            "Username",
            "authentication",
            "Your e-mail address or the user name of your mail service.",
        ),
    ] = None
    password: Annotated[
        str | None,
        _required_text("Email password", "authentication", "The password of that account."),
    ] = None

    def __repr_args__(self) -> Any:  # repr() and str() never show the password
        yield "username", self.username
        yield "password", "<redacted>"


class NoAuthentication(_Lenient):
    """No login (SMTP only)."""

    type: Annotated[Literal["noAuth"], Property(label="None")]


# --- reusable credential (Camunda 8.10 "Configuration") -----------------------------------


def _account_server(label: str, protocol: str, tooltip: str) -> Property:
    return Property(
        label=label,
        group="protocol",
        tooltip=tooltip,
        optional=False,
        extra=REQUIRED,
        condition=Condition("protocol", equals=protocol),
    )


class EmailAccount(_Lenient):
    """A stored mailbox login plus the server of one protocol (or, in the older credential
    shape, of each protocol; the one the task's protocol needs is used)."""

    protocol: Annotated[
        Literal["smtp", "imap", "pop3"] | None,
        BeforeValidator(blank_to_none),
        Property(
            label="Protocol",
            group="protocol",
            value="smtp",
            choices=(Choice("smtp", "SMTP"), Choice("imap", "IMAP"), Choice("pop3", "POP3")),
        ),
    ] = None
    username: Annotated[
        str | None,
        Property(
            label="Username", group="authentication", secret=True, optional=False, extra=REQUIRED
        ),
    ] = None
    password: Annotated[
        str | None,
        Property(
            label="Email password",
            group="authentication",
            secret=True,
            optional=False,
            extra=REQUIRED,
        ),
    ] = None
    smtpHost: Annotated[Text, _account_server("SMTP host", "smtp", "e.g. smtp.example.com")] = None
    smtpPort: Annotated[
        int | None,
        Property(
            label="SMTP port", group="protocol", condition=Condition("protocol", equals="smtp")
        ),
    ] = 587
    smtpCryptographicProtocol: Annotated[
        Crypto | None,
        Property(
            label="SMTP encryption protocol",
            group="protocol",
            value="TLS",
            choices=CRYPTO_CHOICES,
            condition=Condition("protocol", equals="smtp"),
        ),
    ] = None
    imapHost: Annotated[Text, _account_server("IMAP host", "imap", "e.g. imap.example.com")] = None
    imapPort: Annotated[
        int | None,
        Property(
            label="IMAP port", group="protocol", condition=Condition("protocol", equals="imap")
        ),
    ] = 993
    imapCryptographicProtocol: Annotated[
        Crypto | None,
        Property(
            label="IMAP encryption protocol",
            group="protocol",
            value="TLS",
            choices=CRYPTO_CHOICES,
            condition=Condition("protocol", equals="imap"),
        ),
    ] = None
    pop3Host: Annotated[Text, _account_server("POP3 host", "pop3", "e.g. pop.example.com")] = None
    pop3Port: Annotated[
        int | None,
        Property(
            label="POP3 port", group="protocol", condition=Condition("protocol", equals="pop3")
        ),
    ] = 995
    pop3CryptographicProtocol: Annotated[
        Crypto | None,
        Property(
            label="POP3 encryption protocol",
            group="protocol",
            value="TLS",
            choices=CRYPTO_CHOICES,
            condition=Condition("protocol", equals="pop3"),
        ),
    ] = None

    def __repr_args__(self) -> Any:  # repr() and str() never show the login
        for name, value in super().__repr_args__():
            yield name, "<redacted>" if name in ("username", "password") else value


# Shown while no reusable credential is chosen.
WITHOUT_ACCOUNT = Property(condition=Condition("emailAccountConfiguration", is_empty=True))


# --- servers ------------------------------------------------------------------------------


def _host(label: str, tooltip: str) -> Property:
    return _required_text(label, "protocol", tooltip)


def _port(label: str) -> Property:
    return Property(label=label, group="protocol", optional=False, extra=REQUIRED)


def _crypto(label: str = "Cryptographic protocol") -> Property:
    return Property(
        label=label,
        group="protocol",
        value="TLS",
        choices=CRYPTO_CHOICES,
        tooltip="TLS and SSL: an encrypted connection (for SMTP, TLS upgrades with STARTTLS "
        "when the server offers it); None: plain text.",
    )


class SmtpConfig(_Lenient):
    smtpHost: Annotated[Text, _host("SMTP Host", "The server that sends your mail.")] = None
    smtpPort: Annotated[int | None, _port("SMTP Port")] = 587
    smtpCryptographicProtocol: Annotated[Crypto, _crypto()] = "TLS"


class ImapConfig(_Lenient):
    imapHost: Annotated[Text, _host("IMAP Host", "The server that keeps your mailbox.")] = None
    imapPort: Annotated[int | None, _port("IMAP Port")] = 993
    imapCryptographicProtocol: Annotated[Crypto, _crypto("Encryption protocol")] = "TLS"


class Pop3Config(_Lenient):
    pop3Host: Annotated[Text, _host("POP3 Host", "The server you download your mail from.")] = None
    pop3Port: Annotated[int | None, _port("POP3 Port")] = 995
    pop3CryptographicProtocol: Annotated[Crypto, _crypto()] = "TLS"


# --- SMTP: send ---------------------------------------------------------------------------

_ADDRESSES = "Comma-separated addresses (a@example.com,b@example.com) or a FEEL list."


class SmtpSendEmail(_Lenient):
    # One action only, so no union: a one-choice dropdown, as in Camunda's template.
    smtpActionDiscriminator: Annotated[
        Literal["sendEmailSmtp"],
        Property(
            label="SMTP action",
            group="operation",
            binding="data.smtpActionDiscriminator",
            type="Dropdown",
            choices=(Choice("sendEmailSmtp", "Send Email"),),
            value="sendEmailSmtp",
        ),
    ] = "sendEmailSmtp"
    from_: Annotated[
        str | None,
        Field(alias="from"),
        _required_text("From", "sendEmailSmtp", "The sender's address."),
    ] = None
    to: Annotated[
        Any,
        Property(
            label="To",
            group="sendEmailSmtp",
            type="String",
            feel="optional",
            tooltip=_ADDRESSES,
            optional=False,
            extra=REQUIRED,
        ),
    ] = None
    cc: Annotated[
        Any,
        Property(
            label="Cc",
            group="sendEmailSmtp",
            type="String",
            feel="optional",
            tooltip=_ADDRESSES,
            optional=True,
        ),
    ] = None
    bcc: Annotated[
        Any,
        Property(
            label="Bcc",
            group="sendEmailSmtp",
            type="String",
            feel="optional",
            tooltip=_ADDRESSES,
            optional=True,
        ),
    ] = None
    headers: Annotated[
        dict[str, Any] | None,
        Property(
            label="Headers",
            group="sendEmailSmtp",
            type="String",
            feel="required",
            tooltip="Additional headers, as a FEEL context.",
            optional=True,
        ),
    ] = None
    subject: Annotated[str | None, _required_text("Subject", "sendEmailSmtp")] = None
    contentType: Annotated[
        ContentType,
        BeforeValidator(lambda v: "PLAIN" if blank_to_none(v) is None else upper_text(v)),
        Property(
            label="ContentType",
            group="sendEmailSmtp",
            tooltip="PLAIN: text only; HTML: HTML only; HTML & Plaintext: both, the reader "
            "shows one.",
            choices=(
                Choice("PLAIN", "PLAIN"),
                Choice("HTML", "HTML"),
                Choice("MULTIPART", "HTML & Plaintext"),
            ),
        ),
    ] = "PLAIN"
    body: Annotated[
        str | None,
        Property(
            label="Email Text Content",
            group="sendEmailSmtp",
            type="Text",
            feel="optional",
            optional=False,
            extra=NOT_REQUIRED,
            condition=Condition("contentType", one_of=("PLAIN", "MULTIPART")),
        ),
    ] = None
    htmlBody: Annotated[
        str | None,
        Property(
            label="Email Html Content",
            group="sendEmailSmtp",
            type="Text",
            feel="optional",
            optional=False,
            extra=NOT_REQUIRED,
            condition=Condition("contentType", one_of=("HTML", "MULTIPART")),
        ),
    ] = None
    # The attachment helpers and their composer: see connectors/email/attachments.py.
    document_mode: Annotated[
        Literal["none", "single", "multiple"],
        Field(alias=docs.MODE),
        Property(
            label="Number of documents",
            group="sendEmailSmtp",
            tooltip="Attachments: none, one document, or a FEEL list of documents.",
            choices=(
                Choice("none", "None"),
                Choice("single", "Single document"),
                Choice("multiple", "Multiple documents"),
            ),
        ),
    ] = "none"
    document_source: Annotated[
        Literal["camunda", "inline", "external"],
        Field(alias=docs.SOURCE),
        Property(
            label="Document source",
            group="sendEmailSmtp",
            condition=Condition(docs.MODE, equals="single"),
            choices=(
                Choice("camunda", "Camunda Document"),
                Choice("inline", "Inline Content"),
                Choice("external", "From URL"),
            ),
        ),
    ] = "camunda"
    camunda_reference: Annotated[
        Any,
        Field(alias=docs.CAMUNDA_REFERENCE),
        Property(
            label="Camunda document",
            group="sendEmailSmtp",
            type="String",
            feel="required",
            optional=False,
            extra=REQUIRED,
            condition=Condition(docs.SOURCE, equals="camunda"),
        ),
    ] = None
    inline_content: Annotated[
        Any,
        Field(alias=docs.INLINE_CONTENT),
        Property(
            label="Content",
            group="sendEmailSmtp",
            type="String",
            feel="optional",
            optional=False,
            extra=REQUIRED,
            condition=Condition(docs.SOURCE, equals="inline"),
        ),
    ] = None
    inline_file_name: Annotated[
        str | None,
        Field(alias=docs.INLINE_NAME),
        Property(
            label="File name",
            group="sendEmailSmtp",
            feel="optional",
            optional=False,
            extra=NOT_REQUIRED,
            condition=Condition(docs.SOURCE, equals="inline"),
        ),
    ] = None
    inline_content_type: Annotated[
        str | None,
        Field(alias=docs.INLINE_TYPE),
        Property(
            label="Content type",
            group="sendEmailSmtp",
            feel="optional",
            optional=False,
            extra=NOT_REQUIRED,
            condition=Condition(docs.SOURCE, equals="inline"),
        ),
    ] = None
    external_url: Annotated[
        str | None,
        Field(alias=docs.EXTERNAL_URL),
        Property(
            label="URL",
            group="sendEmailSmtp",
            feel="optional",
            optional=False,
            extra=REQUIRED,
            condition=Condition(docs.SOURCE, equals="external"),
        ),
    ] = None
    external_file_name: Annotated[
        str | None,
        Field(alias=docs.EXTERNAL_NAME),
        Property(
            label="File name",
            group="sendEmailSmtp",
            feel="optional",
            optional=False,
            extra=NOT_REQUIRED,
            condition=Condition(docs.SOURCE, equals="external"),
        ),
    ] = None
    documents: Annotated[
        Any,
        Field(alias=docs.MULTIPLE),
        Property(
            label="Documents",
            group="sendEmailSmtp",
            type="String",
            feel="required",
            optional=False,
            extra=REQUIRED,
            condition=Condition(docs.MODE, equals="multiple"),
        ),
    ] = None
    attachments: Annotated[
        Any,
        Property(hidden=True, value=docs.composer("data.smtpAction")),
    ] = None


class SmtpData(_Lenient):
    protocol: Annotated[Literal["smtp"], Property(label="SMTP", binding="protocol")]
    smtpAction: SmtpSendEmail
    smtpConfig: Annotated[SmtpConfig | None, WITHOUT_ACCOUNT] = None

    @model_validator(mode="before")
    @classmethod
    def _tag_action(cls, value: Any) -> Any:
        return _tag(value, "smtpAction", "smtpActionDiscriminator")


# --- POP3 ---------------------------------------------------------------------------------

_MESSAGE_ID = "The Message-ID, as a list, search or read task returned it."
_CRITERIA = (
    'A FEEL context: {field: "SUBJECT", value: "invoice"}, or {operator: "AND", criteria: '
    "[...]} (fields FROM, SUBJECT, BODY; operators AND, OR)."
)


def _message_id(group: str, description: str | None = None) -> Property:
    return _required_text("Message ID", group, _MESSAGE_ID, description=description)


def _max_to_read(group: str) -> Property:
    return Property(
        label="Maximum number of emails to be read",
        group=group,
        optional=False,
        tooltip="At most this many e-mails are returned (default 100).",
    )


class Pop3ListEmails(_Lenient):
    pop3ActionDiscriminator: Annotated[
        Literal["listEmailsPop3"],
        Property(label="List Emails", binding="data.pop3ActionDiscriminator"),
    ]
    maxToBeRead: Annotated[int, _max_to_read("listEmailsPop3")] = 100
    sortField: Annotated[
        Literal["SENT_DATE", "SIZE"],
        BeforeValidator(upper_text),
        Property(
            label="Sort emails by",
            group="listEmailsPop3",
            choices=(Choice("SENT_DATE", "Sent Date"), Choice("SIZE", "Size")),
        ),
    ] = "SENT_DATE"
    sortOrder: Annotated[
        SortOrder,
        BeforeValidator(upper_text),
        Property(label="Sort order", group="listEmailsPop3", choices=ORDER_CHOICES),
    ] = "ASC"


class Pop3SearchEmails(_Lenient):
    pop3ActionDiscriminator: Annotated[
        Literal["searchEmailsPop3"],
        Property(label="Search emails", binding="data.pop3ActionDiscriminator"),
    ]
    criteria: Annotated[
        Any,
        Property(
            label="Search criteria",
            group="searchEmailsPop3",
            type="Text",
            feel="required",
            tooltip=_CRITERIA,
            optional=True,
        ),
    ] = None


class Pop3DeleteEmail(_Lenient):
    pop3ActionDiscriminator: Annotated[
        Literal["deleteEmailPop3"],
        Property(label="Delete Email", binding="data.pop3ActionDiscriminator"),
    ]
    messageId: Annotated[Text, _message_id("deleteEmailPop3")] = None


class Pop3ReadEmail(_Lenient):
    pop3ActionDiscriminator: Annotated[
        Literal["readEmailPop3"],
        Property(label="Read Email", binding="data.pop3ActionDiscriminator"),
    ]
    messageId: Annotated[Text, _message_id("readEmailPop3")] = None


Pop3Action = Pop3DeleteEmail | Pop3ListEmails | Pop3ReadEmail | Pop3SearchEmails


class Pop3Data(_Lenient):
    protocol: Annotated[Literal["pop3"], Property(label="POP3", binding="protocol")]
    pop3Action: Annotated[
        Pop3Action,
        Field(discriminator="pop3ActionDiscriminator"),
        Property(label="POP3 action", group="operation", value="listEmailsPop3"),
    ]
    pop3Config: Annotated[Pop3Config | None, WITHOUT_ACCOUNT] = None

    @model_validator(mode="before")
    @classmethod
    def _tag_action(cls, value: Any) -> Any:
        return _tag(value, "pop3Action", "pop3ActionDiscriminator")


# --- IMAP ---------------------------------------------------------------------------------


def _folder(group: str, tooltip: str, placeholder: str | None = None) -> Property:
    return Property(
        label="Folder",
        group=group,
        feel="optional",
        tooltip=tooltip,
        placeholder=placeholder,
        optional=True,
    )


class ImapListEmails(_Lenient):
    imapActionDiscriminator: Annotated[
        Literal["listEmailsImap"],
        Property(label="List emails", binding="data.imapActionDiscriminator"),
    ]
    maxToBeRead: Annotated[int, _max_to_read("listEmailsImap")] = 100
    listEmailsFolder: Annotated[
        Text, _folder("listEmailsImap", "The folder to list (INBOX when empty).")
    ] = None
    sortField: Annotated[
        Literal["RECEIVED_DATE", "SENT_DATE", "SIZE"],
        BeforeValidator(upper_text),
        Property(
            label="Sort emails by",
            group="listEmailsImap",
            choices=(
                Choice("RECEIVED_DATE", "Received Date"),
                Choice("SENT_DATE", "Sent Date"),
                Choice("SIZE", "Size"),
            ),
        ),
    ] = "RECEIVED_DATE"
    sortOrder: Annotated[
        SortOrder,
        BeforeValidator(upper_text),
        Property(label="Sort order", group="listEmailsImap", choices=ORDER_CHOICES),
    ] = "ASC"


class ImapSearchEmails(_Lenient):
    imapActionDiscriminator: Annotated[
        Literal["searchEmailsImap"],
        Property(label="Search emails", binding="data.imapActionDiscriminator"),
    ]
    criteria: Annotated[
        Any,
        Property(
            label="Search criteria",
            group="searchEmailsImap",
            type="Text",
            feel="required",
            tooltip=_CRITERIA,
            optional=True,
        ),
    ] = None
    searchEmailFolder: Annotated[
        Text,
        _folder(
            "searchEmailsImap",
            "The folder to search (INBOX when empty); sub-folders as a dotted path.",
            "INBOX.Archives",
        ),
    ] = None


class ImapReadEmail(_Lenient):
    imapActionDiscriminator: Annotated[
        Literal["readEmailImap"],
        Property(label="Read an email", binding="data.imapActionDiscriminator"),
    ]
    messageId: Annotated[Text, _message_id("readEmailImap")] = None
    readEmailFolder: Annotated[
        Text, _folder("readEmailImap", "The folder to read from (INBOX when empty).")
    ] = None


class ImapDeleteEmail(_Lenient):
    imapActionDiscriminator: Annotated[
        Literal["deleteEmailImap"],
        Property(label="Delete an email", binding="data.imapActionDiscriminator"),
    ]
    messageId: Annotated[Text, _message_id("deleteEmailImap")] = None
    deleteEmailFolder: Annotated[
        Text, _folder("deleteEmailImap", "The folder to delete from (INBOX when empty).")
    ] = None


class ImapMoveEmail(_Lenient):
    imapActionDiscriminator: Annotated[
        Literal["moveEmailImap"],
        Property(label="Move email", binding="data.imapActionDiscriminator"),
    ]
    messageId: Annotated[Text, _message_id("moveEmailImap")] = None
    fromFolder: Annotated[
        Text, _required_text("Source folder", "moveEmailImap", "The folder the e-mail is in.")
    ] = None
    toFolder: Annotated[
        Text,
        _required_text(
            "Target folder",
            "moveEmailImap",
            "Where to move it; a dotted path (Archive.2025) is created when missing.",
        ),
    ] = None


ImapAction = ImapDeleteEmail | ImapListEmails | ImapMoveEmail | ImapReadEmail | ImapSearchEmails


class ImapData(_Lenient):
    protocol: Annotated[Literal["imap"], Property(label="IMAP", binding="protocol")]
    imapAction: Annotated[
        ImapAction,
        Field(discriminator="imapActionDiscriminator"),
        Property(label="IMAP action", group="operation", value="listEmailsImap"),
    ]
    imapConfig: Annotated[ImapConfig | None, WITHOUT_ACCOUNT] = None

    @model_validator(mode="before")
    @classmethod
    def _tag_action(cls, value: Any) -> Any:
        return _tag(value, "imapAction", "imapActionDiscriminator")


# --- the request --------------------------------------------------------------------------


class EmailInput(_Lenient):
    """Everything the e-mail connector reads (variables ``emailAccountConfiguration``,
    ``authentication``, ``protocol`` and ``data``)."""

    email_account_configuration: Annotated[
        EmailAccount | None,
        BeforeValidator(blank_to_none),
        Field(alias="emailAccountConfiguration"),
        Property(
            label="Email account credential",
            group="authentication",
            optional=True,
            description="Choose a reusable email account credential, or configure one-time "
            "email parameters below.",
            configuration=EMAIL_ACCOUNT,
        ),
    ] = None
    authentication: Annotated[
        SimpleAuthentication | NoAuthentication | None,
        Field(discriminator="type"),
        WITHOUT_ACCOUNT,
        Property(
            label="Authentication",
            group="authentication",
            value="simple",
            description="Specify the Email authentication strategy. None is only supported "
            "for SMTP.",
        ),
    ] = None
    data: Annotated[
        ImapData | Pop3Data | SmtpData,
        Field(discriminator="protocol"),
        Property(
            label="Email Protocol",
            group="operation",
            value="smtp",
            choices=(Choice("imap", "IMAP"), Choice("pop3", "POP3"), Choice("smtp", "SMTP")),
        ),
    ]

    @model_validator(mode="before")
    @classmethod
    def _tag_protocol(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        value = dict(value)
        data = value.get("data")
        protocol = value.get("protocol")
        if isinstance(protocol, str):
            protocol = protocol.strip().lower()
        if data is None and protocol is not None:
            data = {}
        if isinstance(data, dict):
            value["data"] = {**data, "protocol": protocol}
        return value


def _tag(value: Any, action: str, discriminator: str) -> Any:
    """Copy ``data.<discriminator>`` into ``data.<action>`` (the modeler writes it beside)."""
    if not isinstance(value, dict):
        return value
    tag = value.get(discriminator)
    if tag is None:
        return value  # a default (SMTP's one action) or the union's own "tag missing" error
    inner = value.get(action)
    if inner is None:
        inner = {}
    if isinstance(inner, dict):
        value = {**value, action: {**inner, discriminator: tag}}
    return value
