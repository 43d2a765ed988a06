"""Options of the e-mail connector (SMTP, IMAP, POP3).

The connector reads these variables itself (``connectors/email/config.py``, which must not
import ``app``); this mirror puts them in the configuration reference and validates them at
startup.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class EmailSettings(BaseModel):
    email_ca_file: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_EMAIL_CA_FILE",
        description="PEM file of extra CA certificates the e-mail connector trusts for SMTP, "
        "IMAP and POP3 over TLS (added to the system roots; host names are always checked).",
    )
    email_timeout_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias="SWITCHBOARD_EMAIL_TIMEOUT_SECONDS",
        description="Connect and read timeout of the e-mail connector's mail server "
        "connections (seconds).",
    )
    email_max_connections: int = Field(
        4,
        gt=0,
        validation_alias="SWITCHBOARD_EMAIL_MAX_CONNECTIONS",
        description="Connections the e-mail connector opens to one mail server and login at "
        "once; further jobs for it wait.",
    )
    email_idle_seconds: float = Field(
        60.0,
        ge=0,
        validation_alias="SWITCHBOARD_EMAIL_IDLE_SECONDS",
        description="How long an idle SMTP or IMAP connection is kept for reuse (0: never "
        "reuse; POP3 sessions are never reused).",
    )
    email_threads: int = Field(
        8,
        gt=0,
        validation_alias="SWITCHBOARD_EMAIL_THREADS",
        description="Threads running the e-mail connector's blocking IMAP and POP3 clients.",
    )
