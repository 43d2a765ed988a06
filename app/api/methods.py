"""The methods each path allows, for a complete ``Allow`` header on 405 answers.

The router answers 405 from the first route whose path matches, naming only that route's
methods; every route of a path is collected here instead.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import compile_path


class AllowedMethods:
    """Path patterns of the included routers and their methods."""

    def __init__(self) -> None:
        self._paths: dict[str, tuple[re.Pattern[str], set[str]]] = {}

    def record(self, router: APIRouter) -> None:
        for route in router.routes:
            if isinstance(route, APIRoute):
                regex, _, _ = compile_path(route.path)
                _, methods = self._paths.setdefault(route.path, (regex, set()))
                methods.update(route.methods or ())

    def for_path(self, path: str) -> list[str]:
        found: set[str] = set()
        for regex, methods in self._paths.values():
            if regex.match(path):
                found |= methods
        return sorted(found)
