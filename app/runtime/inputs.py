"""A job's variables as its connector receives them: size-checked, secrets resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.runtime.errors import VariablesTooLargeError
from app.runtime.masking import NO_SECRETS, SecretMasker, job_masker
from app.runtime.model import Job
from app.runtime.payload import dumps, text_size
from app.runtime.secrets_hook import SecretResolver
from app.secrets.errors import SecretNotFoundError
from connectors.sdk import placeholders


@dataclass(slots=True)
class Inputs:
    """What preparing a job's variables found out; filled in as far as preparation got."""

    variables: dict[str, Any] = field(default_factory=dict)
    size: int | None = None  # JSON bytes of the job's variables as received
    masker: SecretMasker = NO_SECRETS


async def prepare(
    job: Job, secrets: SecretResolver, max_bytes: int, mask_min_length: int, inputs: Inputs
) -> None:
    """Fill ``inputs`` with the job's variables, their placeholders replaced.

    Raises ``VariablesTooLargeError`` over ``max_bytes``, ``SecretNotFoundError`` for a name
    no provider knows and ``SecretProviderError`` when a provider cannot answer.
    """
    variables = dict(job.variables)
    text = dumps(variables)
    inputs.size = size = text_size(text)
    if size > max_bytes:
        raise VariablesTooLargeError(
            f"Input variables payload ({size} bytes) exceeds the limit of {max_bytes} bytes"
        )
    inputs.variables = variables
    if "secrets." not in text:
        return
    names = placeholders.names_in(variables)
    if not names:
        return
    resolved = await secrets.resolve(set(names), job.info)
    inputs.masker = job_masker(resolved.values(), mask_min_length)
    missing = sorted(names - resolved.keys())
    if missing:
        raise SecretNotFoundError(missing[0])
    inputs.variables = placeholders.substitute(variables, resolved)
