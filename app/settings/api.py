"""REST API, authentication, metrics and admin UI options."""

from __future__ import annotations

from pydantic import BaseModel


class ApiSettings(BaseModel):
    pass
