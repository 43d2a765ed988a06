"""A job's variables as its connector receives them: size-checked, secrets resolved.

Placeholders are replaced in the variables' JSON text exactly as Camunda does it
(``connectors.sdk.placeholders``), pass by pass; a secret's value may itself reference
secrets, which a later pass resolves as Camunda's would. Only the connector's bound inputs
are looked at: its declared input variables, or, when it declares none (it gets every
variable), every variable but the runtime's own ``error``. A previous failure's ``error``
variable therefore never names a secret (``"app.secrets.errors.X"`` holds the bare form
``secrets.errors.X``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.runtime.errors import VariablesTooLargeError
from app.runtime.masking import NO_SECRETS, SecretMasker, job_masker
from app.runtime.model import Job
from app.runtime.payload import dumps, text_size
from app.runtime.secrets_hook import SecretResolver
from app.secrets.errors import SecretNotFoundError
from app.secrets.filter import Allowed, SecretFilter
from connectors.sdk import placeholders
from connectors.sdk.errors import ConnectorInputError

ERROR_VARIABLE = "error"
"""The variable the runtime sets on failure (``{type, message, code, variables}``)."""


@dataclass(slots=True)
class Inputs:
    """What preparing a job's variables found out; filled in as far as preparation got.

    ``masker`` knows the job's secrets and the values its connector derived from them;
    ``log_masker`` (the process-wide one, if any) learns the derived values too.
    """

    variables: dict[str, Any] = field(default_factory=dict)
    size: int | None = None  # JSON bytes of the job's variables as received
    masker: SecretMasker = NO_SECRETS
    log_masker: SecretMasker | None = None

    def mask_for_this_job(self, values: list[str]) -> None:
        """Mask ``values`` in this job's messages, error variables and history only (literal
        credentials: never added to the process-wide log masker, which would grow with them)."""
        wanted = [v for v in values if isinstance(v, str) and v]
        if not wanted:
            return
        if self.masker is NO_SECRETS:
            self.masker = job_masker()
        self.masker.register_many(wanted)

    def mask_derived(self, values: tuple[str, ...]) -> None:
        """Mask ``values`` (derived from the job's secrets) like the secrets themselves."""
        wanted = [v for v in values if isinstance(v, str) and v]
        if not wanted:
            return
        if self.masker is NO_SECRETS:
            self.masker = job_masker()
        self.masker.register_many(wanted)
        if self.log_masker is not None:
            self.log_masker.register_many(wanted)


async def prepare(
    job: Job,
    bound: tuple[str, ...],
    secrets: SecretResolver,
    secret_filter: SecretFilter | None,
    max_bytes: int,
    inputs: Inputs,
) -> None:
    """Fill ``inputs`` with the job's variables, the placeholders of the connector's bound
    inputs (``bound``: its declared input variables, ``()`` for all) replaced.

    Raises ``VariablesTooLargeError`` over ``max_bytes``, ``SecretNotFoundError`` for a name
    no provider knows, ``SecretProviderError`` when a provider cannot answer and
    ``SecretFilterError`` when the allowed names cannot be read (``STRICT``).
    """
    variables = dict(job.variables)
    text = dumps(variables)
    inputs.size = size = text_size(text)
    if size > max_bytes:
        raise VariablesTooLargeError(
            f"Input variables payload ({size} bytes) exceeds the limit of {max_bytes} bytes"
        )
    inputs.variables = variables
    if placeholders.MARKER not in text:
        return
    scoped = _bound(variables, bound)
    if len(scoped) != len(variables):
        text = dumps(scoped)
    if not placeholders.names_in_text(text):
        return
    allowed = await secret_filter.allowed(job.info) if secret_filter is not None else None
    replaced = await _replace(text, job, secrets, allowed, max_bytes, inputs)
    if replaced == text:
        return
    try:
        resolved = json.loads(replaced)
    except ValueError:
        raise ConnectorInputError(
            "The variables are not valid JSON after secret replacement "
            "(a placeholder spans more than one string)"
        ) from None
    inputs.variables = {k: v for k, v in variables.items() if k not in scoped}
    inputs.variables.update(resolved)


def _bound(variables: dict[str, Any], bound: tuple[str, ...]) -> dict[str, Any]:
    if bound:
        return {k: v for k, v in variables.items() if k in bound}
    return {k: v for k, v in variables.items() if k != ERROR_VARIABLE}


async def _replace(
    text: str,
    job: Job,
    secrets: SecretResolver,
    allowed: Allowed | None,
    max_bytes: int,
    inputs: Inputs,
) -> str:
    """Camunda's passes over ``text``; the names each pass asks for are resolved (in one
    call) before it runs, so no name is looked up that Camunda would not look up."""
    values: dict[str, str] = {}

    def lookup(name: str) -> str | None:
        return values.get(name) if allowed is None or allowed(name) else None

    for pattern in placeholders.PATTERNS:
        for _ in range(placeholders.passes(pattern, text)):
            wanted = placeholders.names_of(pattern, text) - values.keys()
            if allowed is not None:
                wanted = {name for name in wanted if allowed(name)}
            if wanted:
                await _resolve(wanted, job, secrets, values, inputs)
            replaced = placeholders.replace_pass(pattern, text, lookup)
            if replaced == text:
                break  # a fixed point: the remaining passes change nothing either
            if len(replaced) > max_bytes:
                raise VariablesTooLargeError(
                    f"Input variables payload: secret values grew the variables past "
                    f"{max_bytes} characters"
                )
            text = replaced
    return text


async def _resolve(
    names: set[str], job: Job, secrets: SecretResolver, values: dict[str, str], inputs: Inputs
) -> None:
    found = await secrets.resolve(names, job.info)
    values.update((name, value) for name, value in found.items() if name in names)
    if inputs.masker is NO_SECRETS:
        inputs.masker = job_masker()
    inputs.masker.register_many(values.values())
    missing = sorted(names - values.keys())
    if missing:
        raise SecretNotFoundError(missing[0])
