"""HTTP machinery shared by the REST and GraphQL connectors (httpx, one client per loop)."""

from connectors._http.clients import aclose
from connectors._http.execute import execute
from connectors._http.request import HttpRequestSpec

__all__ = ["HttpRequestSpec", "aclose", "execute"]
