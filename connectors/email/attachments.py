"""Attachments: the template's document helpers, and documents turned into bytes.

Camunda's template offers "Number of documents" (none, single, multiple) and, for a single
one, a source (a Camunda document, inline content, or a URL), each in helper inputs under
``data.smtpAction``; a hidden input mapping then composes ``data.smtpAction.attachments``, a
list of document references (camunda/connectors
``element-template-generator/core/.../util/DocumentPropertyHandler.java``). Zeebe evaluates
input mappings in order, each seeing the earlier ones, so the composer can read the helpers.

References, as Camunda's runtime reads them (``connector-runtime/jackson-datatype-document/
.../DocumentReferenceModel.java``, ``.../runtime/core/document/InlineDocument.java``,
``ExternalDocument.java``, ``MimeTypeResolver.java``): a JSON object whose
``camunda.document.type`` is ``inline`` (``content`` as UTF-8 text, ``name``, ``contentType``),
``external`` (``url``, ``name``) or ``camunda`` (a document in Camunda's document store).
Switchboard has no document store: a ``camunda`` reference is refused with an input error.
An inline reference with ``"encoding": "base64"`` (what Switchboard's read operations return
for binary attachments) is decoded first.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

from connectors._http.download import Downloaded
from connectors._http.errors import ResponseTooLarge
from connectors._http.transport import TransportError
from connectors.email.errors import EmailError
from connectors.sdk import ConnectorInputError

TYPE_KEY = "camunda.document.type"
PREFIX = "data_smtpAction_attachments_"
MODE = PREFIX + "documentMode"
SOURCE = PREFIX + "single_documentSource"
CAMUNDA_REFERENCE = PREFIX + "single_camundaReference"
INLINE_CONTENT = PREFIX + "single_inline_content"
INLINE_NAME = PREFIX + "single_inline_fileName"
INLINE_TYPE = PREFIX + "single_inline_contentType"
EXTERNAL_URL = PREFIX + "single_external_url"
EXTERNAL_NAME = PREFIX + "single_external_fileName"
MULTIPLE = PREFIX + "multiple_expression"
FIELD = "data.smtpAction.attachments"
OCTET_STREAM = "application/octet-stream"


def composer(parent: str) -> str:
    """The FEEL expression (a Hidden input) that builds the attachment list from the helpers
    under ``parent``: null for none, the FEEL list for multiple, a one-element list else."""

    def ref(name: str) -> str:
        return f"{parent}.{name}"

    def entries(**fields: str) -> str:
        return ", ".join(f"{key}: {value}" for key, value in fields.items())

    inline = (
        f'{{"{TYPE_KEY}": "inline", '
        + entries(content=ref(INLINE_CONTENT), name=ref(INLINE_NAME), contentType=ref(INLINE_TYPE))
        + "}"
    )
    external = (
        f'{{"{TYPE_KEY}": "external", '
        + entries(url=ref(EXTERNAL_URL), name=ref(EXTERNAL_NAME))
        + "}"
    )
    by_source = [
        ("camunda", f"[{ref(CAMUNDA_REFERENCE)}]"),
        ("inline", f"[{inline}]"),
        ("external", f"[{external}]"),
    ]
    single = "null"
    for source, value in reversed(by_source):
        single = f'if {ref(SOURCE)} = "{source}" then {value} else {single}'
    return (
        f'=if {ref(MODE)} = "multiple" then {ref(MULTIPLE)} '
        f'else if {ref(MODE)} = "single" then ({single}) else null'
    )


@dataclass(frozen=True)
class Attachment:
    """One file to attach."""

    name: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"Attachment({self.name!r}, {self.content_type!r}, {len(self.data)} bytes)"


Download = Callable[[str], Awaitable[Downloaded]]


async def resolve(value: Any, client: Download | None) -> list[Attachment]:
    """Turn the ``attachments`` input (a list of document references, or null) into files.

    Raises ``ConnectorInputError`` naming the entry for a reference Switchboard cannot use.
    """
    if value is None or value == []:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ConnectorInputError(f"{FIELD}: must be a list of documents")
    result: list[Attachment] = []
    for index, item in enumerate(value):
        where = f"{FIELD}[{index}]"
        if item is None:
            continue  # a single-document helper left empty
        if not isinstance(item, dict):
            raise ConnectorInputError(f"{where}: must be a document reference (a JSON object)")
        kind = item.get(TYPE_KEY)
        if kind == "inline":
            result.append(_inline(item, where))
        elif kind == "external":
            result.append(await _external(item, where, client))
        elif kind == "camunda":
            raise ConnectorInputError(
                f"{where}: Camunda documents live in Camunda's document store, which "
                "Switchboard does not have; attach inline content or a URL instead"
            )
        else:
            raise ConnectorInputError(
                f"{where}: '{TYPE_KEY}' must be 'inline', 'external' or 'camunda'"
            )
    return result


def content_type_for(explicit: Any, name: str | None) -> str:
    """The explicit type, else a guess from the file name, else application/octet-stream."""
    if isinstance(explicit, str) and explicit.strip():
        return explicit.strip()
    if name:
        guessed = mimetypes.guess_type(name, strict=False)[0]
        if guessed:
            return guessed
    return OCTET_STREAM


def _inline(item: dict[str, Any], where: str) -> Attachment:
    content = item.get("content")
    if content is None:
        raise ConnectorInputError(f"{where}.content: inline document content must not be null")
    if not isinstance(content, str):
        content = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    data: bytes
    if str(item.get("encoding", "")).lower() == "base64":
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ConnectorInputError(f"{where}.content: not valid base64") from None
    else:
        data = content.encode("utf-8")
    name = _text(item.get("name")) or str(uuid.uuid4())
    return Attachment(name, content_type_for(item.get("contentType"), name), data)


async def _external(item: dict[str, Any], where: str, client: Download | None) -> Attachment:
    url = _text(item.get("url"))
    if url is None or not url.lower().startswith(("http://", "https://")):
        raise ConnectorInputError(f"{where}.url: must be an http:// or https:// URL")
    if client is None:
        raise ConnectorInputError(f"{where}.url: downloading documents is not available")
    try:
        response = await client(url)
    except (TransportError, ResponseTooLarge) as exc:
        raise EmailError(
            f"Could not download the attachment from {url}: {type(exc).__name__}"
        ) from None
    if response.status_code >= 400:
        raise EmailError(
            f"Could not download the attachment from {url}: HTTP {response.status_code}"
        )
    name = _text(item.get("name")) or _disposition_name(response) or str(uuid.uuid4())
    header_type = response.headers.get("content-type")
    return Attachment(name, content_type_for(header_type, name), response.content)


def _disposition_name(response: Downloaded) -> str | None:
    header = response.headers.get("content-disposition")
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    return name or None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None
