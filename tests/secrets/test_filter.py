"""Camunda's secret filter (DISABLED / LAX / STRICT) through the runtime.

camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
connector/runtime/outbound/job/ConfigurableSecretFilterFactory.java (modes; LAX allows all
when the names cannot be read, STRICT fails), LazyLoadingSecretFilter.java (read on first
use), .../outbound/secret/ProcessDefinitionSecretKeyCache.java (the names of an element: its
zeebe:ioMapping inputs, for service/send/script/business-rule tasks carrying an element
template, sub-processes included), connector-runtime-core/src/main/java/io/camunda/
connector/runtime/core/secret/SecretHandler.java (a name not allowed is left unreplaced,
not an error), and OutboundConnectorRuntimeConfiguration.java
(camunda.connector.secret-resolver.secret-filter.mode, default DISABLED).

The process definition source stands in for the engine, which would fetch the BPMN XML
(Camunda: CamundaClient.newProcessDefinitionGetXmlRequest).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, Job
from app.runtime.secrets_hook import StaticSecretResolver
from app.secrets.errors import SecretsConfigError
from app.secrets.filter import FilterMode, SecretFilter, element_secret_names
from app.settings import load_settings
from connectors.echo import echo

BPMN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="order" isExecutable="true">
    <bpmn:serviceTask id="call" zeebe:modelerTemplate="io.camunda.connectors.HttpJson.v2">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="switchboard:echo:1" />
        <zeebe:ioMapping>
          <zeebe:input source="{{secrets.ALLOWED}}" target="a" />
          <zeebe:input source="=&quot;Bearer &quot; + &quot;{{ secrets.TOKEN }}&quot;"
              target="auth" />
          <zeebe:input source="secrets.LEGACY" target="legacy" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="plain">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="switchboard:echo:1" />
        <zeebe:ioMapping><zeebe:input source="{{secrets.ALLOWED}}" target="a" /></zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:subProcess id="sub">
      <bpmn:sendTask id="inner" zeebe:modelerTemplate="io.example.Send.v1">
        <bpmn:extensionElements>
          <zeebe:ioMapping><zeebe:input source="{{secrets.INNER}}" target="x" /></zeebe:ioMapping>
        </bpmn:extensionElements>
      </bpmn:sendTask>
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""

SECRETS = {"ALLOWED": "allowed-value", "TOKEN": "token-value", "INNER": "inner-value"}
KEY = 2251799813685249
VARIABLES = {
    "a": "{{secrets.ALLOWED}}",
    "auth": "Bearer {{secrets.TOKEN}}",
    "other": "{{secrets.OTHER}}",
}


class Source:
    """The engine's side: BPMN XML by process definition key, counting requests."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[int] = []

    async def __call__(self, key: int) -> str:
        self.calls.append(key)
        if self.fail:
            raise ConnectionError("process definition API unavailable")
        return BPMN_XML


async def run(filter_: SecretFilter | None, element: str, variables: dict[str, Any]) -> Any:
    runtime = ConnectorRuntime(
        {echo.type: echo},
        secrets=StaticSecretResolver(SECRETS),
        secret_filter=filter_,
    )
    job = Job.create(
        echo.type,
        variables,
        custom_headers={"resultVariable": "r"},
        retries=3,
        process_definition_key=KEY,
        element_id=element,
    )
    try:
        return (await runtime.execute(job)).outcome
    finally:
        runtime.close()


def test_element_names_follow_camundas_process_definition_reading() -> None:
    assert element_secret_names(BPMN_XML) == {
        "call": ["ALLOWED", "TOKEN", "LEGACY"],  # in input order, distinct
        "inner": ["INNER"],  # inside a sub-process
        # "plain" carries no element template: not an outbound connector element
    }


async def test_disabled_resolves_every_name_without_reading_the_process() -> None:
    source = Source()
    outcome = await run(SecretFilter("DISABLED", source), "call", {"x": "{{secrets.INNER}}"})
    assert outcome == Complete({"r": {"x": "inner-value"}})
    assert source.calls == []


@pytest.mark.parametrize("mode", ["LAX", "STRICT"])
async def test_only_names_of_the_elements_inputs_are_resolved(mode: FilterMode) -> None:
    source = Source()
    filter_ = SecretFilter(mode, source)
    outcome = await run(filter_, "call", VARIABLES)
    # OTHER is not in the element's inputs: left as it is (no error, though it is unknown)
    assert outcome == Complete(
        {"r": {"a": "allowed-value", "auth": "Bearer token-value", "other": "{{secrets.OTHER}}"}}
    )
    # INNER exists, but belongs to another element
    outcome = await run(filter_, "call", {"x": "{{secrets.INNER}}"})
    assert outcome == Complete({"r": {"x": "{{secrets.INNER}}"}})
    assert await run(filter_, "inner", {"x": "{{secrets.INNER}}"}) == Complete(
        {"r": {"x": "inner-value"}}
    )
    # an element without an element template allows nothing
    assert await run(filter_, "plain", {"a": "{{secrets.ALLOWED}}"}) == Complete(
        {"r": {"a": "{{secrets.ALLOWED}}"}}
    )
    # the definition is read once per process definition key, and not for jobs without
    # placeholders
    await run(filter_, "call", {"no": "placeholder"})
    assert source.calls == [KEY]


async def test_lax_allows_every_name_when_the_process_cannot_be_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = Source(fail=True)
    with caplog.at_level(logging.WARNING, logger="app.secrets.filter"):
        outcome = await run(SecretFilter("LAX", source), "call", {"x": "{{secrets.INNER}}"})
    assert outcome == Complete({"r": {"x": "inner-value"}})
    assert "LAX" in caplog.text and "ConnectionError" in caplog.text


async def test_strict_fails_the_job_transiently_when_the_process_cannot_be_read() -> None:
    outcome = await run(SecretFilter("STRICT", Source(fail=True)), "call", VARIABLES)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2  # an ordinary failure: the next attempt may read it
    assert outcome.variables["error"]["type"] == "switchboard.SecretFilterError"
    assert "Error retrieving secret keys" in outcome.message


def test_strict_without_a_process_definition_source_is_a_configuration_error() -> None:
    with pytest.raises(SecretsConfigError, match="SWITCHBOARD_SECRETS_FILTER_MODE=STRICT"):
        SecretFilter("STRICT")
    settings = load_settings(_env_file=None, secrets_filter_mode="strict")
    assert settings.secrets_filter_mode == "STRICT"  # enum names are read leniently
    with pytest.raises(SecretsConfigError):
        ConnectorRuntime.from_settings({echo.type: echo}, settings)


def test_default_mode_is_disabled() -> None:
    assert load_settings(_env_file=None).secrets_filter_mode == "DISABLED"


async def test_lax_without_a_source_allows_every_name() -> None:
    outcome = await run(SecretFilter("LAX"), "call", {"x": "{{secrets.INNER}}"})
    assert outcome == Complete({"r": {"x": "inner-value"}})
