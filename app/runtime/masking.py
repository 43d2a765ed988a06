"""The per-job secret masker: every value resolved for a job becomes ``***`` in that job's
messages, error variables and history (the rules are those of
:class:`app.secrets.masking.SecretMasker`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.secrets.masking import MASK, SecretMasker

__all__ = ["MASK", "NO_SECRETS", "SecretMasker", "job_masker", "mask_secrets"]


class _NoSecrets(SecretMasker):
    """The masker of a job that resolved no secret: masks nothing, accepts no value."""

    def register_many(self, values: Iterable[str]) -> None:
        raise TypeError("NO_SECRETS is shared: create a masker with job_masker() instead")


NO_SECRETS: SecretMasker = _NoSecrets()
"""Shared by every job without secrets, so such a job builds no masker at all."""


def job_masker(values: Iterable[str] = ()) -> SecretMasker:
    """A fresh masker knowing only ``values`` (the secrets resolved for one job)."""
    masker = SecretMasker()
    masker.register_many(values)
    return masker


def mask_secrets(value: Any, secrets: Iterable[str]) -> Any:
    """Mask ``secrets`` in ``value`` (a string or a JSON-like value)."""
    masker = job_masker(secrets)
    return masker.mask(value) if isinstance(value, str) else masker.mask_value(value)
