"""HTTP machinery shared by the REST and GraphQL connectors (one pooled transport per loop)."""

from connectors._http.clients import aclose
from connectors._http.config import HttpConfig
from connectors._http.execute import execute
from connectors._http.request import HttpRequestSpec
from connectors._http.tls import environment_context


def check_environment() -> None:
    """Validate the HTTP settings and load the CA / client certificate files now, not at the
    first job; raises ``HttpConfigError`` naming the variable."""
    environment_context(HttpConfig.from_env())


__all__ = ["HttpRequestSpec", "aclose", "check_environment", "execute"]
