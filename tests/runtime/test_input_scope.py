"""Placeholders are looked for only in the connector's bound inputs.

Regression (issue 15): after a Vault outage the first failure left ``error.type =
"app.secrets.errors.SecretProviderError"`` in the job's variables; on the retry the runtime
scanned every fetched variable, the bare ``secrets.NAME`` pattern (camunda/connectors
connector-runtime/connector-runtime-core/src/main/java/io/camunda/connector/runtime/core/
secret/SecretUtil.java: found anywhere, also after a letter) matched inside that class name,
asked for a secret called ``errors.SecretProviderError`` and failed with retries 0. Camunda's
worker fetches only the connector's input variables, and the runtime's own ``error``
variable is not a connector input.
"""

from __future__ import annotations

from typing import Any

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Job
from app.secrets.errors import SecretNotFoundError
from connectors.echo import echo
from connectors.sdk import OutboundContext, outbound_connector
from connectors.sdk.context import JobInfo

# What an earlier failure (by an older Switchboard, or any connector error message quoting
# "secrets.") leaves in the process variables, which a connector without declared inputs
# fetches on the retry.
LEGACY_ERROR = {
    "type": "app.secrets.errors.SecretProviderError",
    "message": "Secret provider 'vault' failed: cannot read secrets.db/password",
}


class Recorder:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: set[str] = set()

    async def resolve(self, names: set[str], job: JobInfo) -> dict[str, str]:
        self.asked |= names
        missing = sorted(names - self.values.keys())
        if missing:
            raise SecretNotFoundError(missing[0])
        return {name: self.values[name] for name in names}


@outbound_connector(name="Declared", type="test:declared:1", input_variables=["url"])
async def declared(context: OutboundContext) -> dict[str, Any]:
    return dict(context.variables)


async def _run(connector: Any, variables: dict[str, Any], store: Recorder) -> Any:
    runtime = ConnectorRuntime({connector.type: connector}, secrets=store)
    try:
        job = Job.create(connector.type, variables, custom_headers={"resultVariable": "r"})
        return (await runtime.execute(job)).outcome
    finally:
        runtime.close()


async def test_the_runtimes_error_variable_is_never_scanned() -> None:
    store = Recorder({"TOKEN": "t0k3n"})
    outcome = await _run(echo, {"auth": "{{secrets.TOKEN}}", "error": LEGACY_ERROR}, store)
    assert outcome == Complete({"r": {"auth": "t0k3n", "error": LEGACY_ERROR}})
    assert store.asked == {"TOKEN"}


async def test_only_declared_input_variables_are_scanned() -> None:
    store = Recorder({"TOKEN": "t0k3n"})
    variables = {"url": "https://h/{{secrets.TOKEN}}", "note": "see secrets.NOPE", "error": {}}
    outcome = await _run(declared, variables, store)
    assert outcome == Complete(
        {"r": {"url": "https://h/t0k3n", "note": "see secrets.NOPE", "error": {}}}
    )
    assert store.asked == {"TOKEN"}


async def test_a_declared_error_input_is_scanned_like_any_other() -> None:
    @outbound_connector(name="Err", type="test:err-input:1", input_variables=["error"])
    async def uses_error(context: OutboundContext) -> dict[str, Any]:
        return dict(context.variables)

    store = Recorder({"TOKEN": "t0k3n"})
    outcome = await _run(uses_error, {"error": "{{secrets.TOKEN}}"}, store)
    assert outcome == Complete({"r": {"error": "t0k3n"}})
