"""Options of the HTTP-based connectors (REST, GraphQL)."""

from __future__ import annotations

from pydantic import BaseModel


class HttpSettings(BaseModel):
    pass
