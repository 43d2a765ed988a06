"""Switchboard connector SDK: everything a connector author imports. Depends on pydantic only."""

from connectors.sdk.binding import bind
from connectors.sdk.connector import OutboundConnector, outbound_connector
from connectors.sdk.context import JobInfo, OutboundContext, mask_derived
from connectors.sdk.errors import (
    ConnectorError,
    ConnectorInputError,
    ConnectorRetryError,
    FieldError,
    InputError,
    SwitchboardError,
)
from connectors.sdk.examples import Example
from connectors.sdk.fields import Choice, Condition, Configuration, Group, Property
from connectors.sdk.messages import (
    MessageCommandError,
    MessageCorrelated,
    MessagePublished,
    MessageSender,
    MessageToSend,
)

__all__ = [
    "Choice",
    "Condition",
    "Configuration",
    "ConnectorError",
    "ConnectorInputError",
    "ConnectorRetryError",
    "Example",
    "FieldError",
    "Group",
    "InputError",
    "JobInfo",
    "MessageCommandError",
    "MessageCorrelated",
    "MessagePublished",
    "MessageSender",
    "MessageToSend",
    "OutboundConnector",
    "OutboundContext",
    "Property",
    "SwitchboardError",
    "bind",
    "mask_derived",
    "outbound_connector",
]
