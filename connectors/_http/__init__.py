"""HTTP machinery shared by the REST and GraphQL connectors (one pooled transport per loop)."""

from typing import Any

from connectors._http.clients import aclose
from connectors._http.config import HttpConfig
from connectors._http.execute import execute
from connectors._http.request import HttpRequestSpec
from connectors._http.tls import environment_context


def check_environment() -> None:
    """Validate the HTTP settings and load the CA / client certificate files now, not at the
    first job; raises ``HttpConfigError`` naming the variable."""
    environment_context(HttpConfig.from_env())


# The REST and GraphQL connectors' start-up check and shutdown hook (``extra`` of the definition).
RUNTIME_HOOKS: dict[str, Any] = {"startup_check": check_environment, "shutdown": aclose}

__all__ = ["RUNTIME_HOOKS", "HttpRequestSpec", "aclose", "check_environment", "execute"]
