"""URLs exactly as Camunda's REST connector puts them on the wire.

Camunda (camunda/connectors connector-commons/http-client/src/main/java/io/camunda/connector/
http/client/client/apache/builder/parts/UrlEncoder.java and its UrlEncoderTest) normalises a
URL with Google's ``GenericUrl`` (googleapis/google-http-java-client GenericUrl.java,
CharEscapers.java, PercentEscaper.java, UrlEncodedParser.java):

- each path segment is percent-decoded (``+`` stays a plus) and re-escaped: ``+`` is sent as
  ``%2B``, needlessly escaped characters (``%2C``, ``%21``) come back as themselves;
- the query is form-decoded (``+`` is a space) into parameters grouped by name in order of
  first appearance, then re-escaped (a space is ``%20``; ``a=`` becomes ``a``);
- ``skipEncoding: "true"`` sends the URL as written.

Extra query parameters (``queryParameters``, an API key in the query) are added the way
Apache's ``ClassicRequestBuilder`` adds them (apache/httpcomponents-core URIBuilder.java,
PercentCodec.java): the whole query is parsed again (``+`` literal) and written with only
RFC 3986 unreserved characters left unescaped. Read, not copied.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from connectors.sdk import ConnectorInputError
from connectors.sdk.encodings import declare_encoding

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# GenericUrl's escapers (PercentEscaper safe sets) and Apache's PercentCodec.UNRESERVED.
PATH_SAFE = _ALNUM + "-_.!~*'()@:$&,;="
QUERY_SAFE = _ALNUM + "-_.!~*'()@:$,;/?"
USERINFO_SAFE = _ALNUM + "-_.!~*'():$&,;="
UNRESERVED = _ALNUM + "-._~"
# The official template's pattern, applied by Camunda's bean validation (case-sensitive).
URL_PATTERN = re.compile(r"(=|(http://|https://|secrets|\{\{).*)")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _table(safe: str) -> list[str]:
    allowed = set(safe.encode())
    return [chr(b) if b in allowed else f"%{b:02X}" for b in range(256)]


_PATH = _table(PATH_SAFE)
_QUERY = _table(QUERY_SAFE)
_USERINFO = _table(USERINFO_SAFE)
_UNRESERVED = _table(UNRESERVED)


def escape(text: str, table: list[str]) -> str:
    return "".join([table[b] for b in text.encode("utf-8", "surrogatepass")])


# Every form this encoder gives a value is masked like the value (a secret in a URL that a
# server echoes in an error body, say).
for _name, _table_of in (
    ("path", _PATH),
    ("query", _QUERY),
    ("userinfo", _USERINFO),
    ("unreserved", _UNRESERVED),
):
    declare_encoding(f"http-url-{_name}", functools.partial(escape, table=_table_of))


def _path_segments(text: str) -> str:
    return "/".join(escape(segment, _PATH) for segment in text.split("/"))


declare_encoding("http-url-path-segments", _path_segments)  # "/" is the separator there
# A raw query is decoded with "+" as a space, then written again (Apache's URIBuilder).
declare_encoding("http-url-query-plus", lambda text: escape(text.replace("+", " "), _UNRESERVED))


@dataclass(slots=True)
class ParsedUrl:
    """An absolute http(s) URL split as ``java.net.URL`` splits it (all parts raw)."""

    scheme: str  # lower case
    userinfo: str | None
    host: str
    port: str  # "" when none
    path: str
    query: str | None

    @property
    def origin(self) -> str:
        user = f"{self.userinfo}@" if self.userinfo is not None else ""
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{user}{self.host}{port}"

    @property
    def hostname(self) -> str:
        return self.host[1:-1] if self.host.startswith("[") else self.host


def parse(raw: str, field: str = "url") -> ParsedUrl:
    """Split ``raw``; :class:`ConnectorInputError` naming ``field`` unless absolute http(s)."""
    text = raw.strip()
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        raise ConnectorInputError(
            f"{field}: must be an absolute http:// or https:// URL with a host"
        )
    rest = rest.split("#", 1)[0]
    cut = len(rest)
    for mark in ("/", "?"):
        index = rest.find(mark)
        if 0 <= index < cut:
            cut = index
    authority, tail = rest[:cut], rest[cut:]
    path, qmark, query = tail.partition("?")
    userinfo: str | None = None
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
    host, port = authority, ""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise ConnectorInputError(f"{field}: not a valid URL")
        host, after = authority[: close + 1], authority[close + 1 :]
        port = after[1:] if after.startswith(":") else after
    elif ":" in authority:
        host, _, port = authority.rpartition(":")
    if not host or (port and not port.isdigit()) or any(c in host for c in " \t\r\n\\%"):
        raise ConnectorInputError(
            f"{field}: must be an absolute http:// or https:// URL with a host"
            if not host
            else f"{field}: not a valid URL"
        )
    if port and not 0 < int(port) <= 65535:
        raise ConnectorInputError(f"{field}: not a valid URL")
    return ParsedUrl(scheme, userinfo, host, port, path, query if qmark else None)


def _decode(text: str, *, plus_is_space: bool) -> str:
    """``java.net.URLDecoder`` (UTF-8); a ``%`` not followed by two hex digits is an error."""
    if _BAD_ESCAPE.search(text):
        raise ValueError("malformed percent escape")
    if plus_is_space:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    return unquote_to_bytes(text).decode("utf-8", "replace")


def _generic_url(url: ParsedUrl) -> tuple[str, list[tuple[str, str | None]]]:
    """GenericUrl's rendering of path and query: (encoded path, decoded parameters)."""
    path = "/".join(
        escape(_decode(part.replace("+", "%2B"), plus_is_space=False), _PATH) if part else ""
        for part in url.path.split("/")
    )
    grouped: dict[str, list[str]] = {}
    for pair in (url.query or "").split("&"):
        name, _, value = pair.partition("=")
        name = _decode(name, plus_is_space=True)
        if name:
            grouped.setdefault(name, []).append(_decode(value, plus_is_space=True))
    params: list[tuple[str, str | None]] = [
        (name, value) for name, values in grouped.items() for value in values
    ]
    return path, params


def _query_text(params: list[tuple[str, str | None]], table: list[str]) -> str:
    parts = []
    for name, value in params:
        encoded = escape(value, table) if value else ""
        parts.append(f"{escape(name, table)}={encoded}" if encoded else escape(name, table))
    return "&".join(parts)


def _apache_params(query: str | None) -> list[tuple[str, str | None]]:
    """URIBuilder.parseQuery: ``&``-separated, ``+`` literal, lenient escapes."""
    params: list[tuple[str, str | None]] = []
    for pair in (query or "").split("&") if query else []:
        name, eq, value = pair.partition("=")
        if name:
            params.append((_lenient(name), _lenient(value) if eq else None))
    return params


def _lenient(text: str) -> str:
    return unquote_to_bytes(text).decode("utf-8", "replace") if "%" in text else text


def _apache_query(params: list[tuple[str, str | None]]) -> str:
    return "&".join(
        escape(name, _UNRESERVED)
        if value is None
        else f"{escape(name, _UNRESERVED)}={escape(value, _UNRESERVED)}"
        for name, value in params
    )


def wire_url(
    url: ParsedUrl, extra: list[tuple[str, str]], skip_encoding: bool, field: str = "url"
) -> str:
    """The URL to send, byte for byte (no fragment), with ``extra`` query parameters."""
    if skip_encoding:
        path, query = url.path, url.query
        origin = url.origin
    else:
        try:
            path, params = _generic_url(url)
            userinfo = _decode(url.userinfo, plus_is_space=True) if url.userinfo else None
        except ValueError:
            raise ConnectorInputError(f"{field}: not a valid URL (malformed % escape)") from None
        query = _query_text(params, _QUERY) if params else None
        user = f"{escape(userinfo, _USERINFO)}@" if userinfo is not None else ""
        origin = f"{url.scheme}://{user}{url.host}{':' + url.port if url.port else ''}"
    if extra:
        params = _apache_params(query) + [(name, value) for name, value in extra]
        query = _apache_query(params)
    if not path:
        path = "/"
    return f"{origin}{path}" if query is None else f"{origin}{path}?{query}"
