"""HTTP routers, error handling, metrics and the admin UI, installed on the app."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount every router and middleware on ``app`` (called by ``create_app``)."""
