"""Camunda's secret filter: which secrets a job may resolve.

As in camunda/connectors (connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
connector/runtime/outbound/job/ConfigurableSecretFilterFactory.java, LazyLoadingSecretFilter.java
and .../outbound/secret/ProcessDefinitionSecretKeyCache.java; connector-runtime-core
.../secret/SecretHandler.java):

- ``DISABLED`` (the default): every name may be resolved.
- ``LAX`` and ``STRICT``: only the names that the element's ``zeebe:ioMapping`` inputs
  reference may be resolved; a placeholder naming any other secret is left as it is (not an
  error). The allowed names are read from the process definition's BPMN XML, once per job
  that has placeholders, and cached per process definition. When they cannot be read,
  ``LAX`` allows every name (with a warning) and ``STRICT`` fails the job (an ordinary,
  retryable failure).
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from typing import ClassVar, Literal, Protocol

from app.secrets.errors import SecretError, SecretsConfigError
from connectors.sdk.context import JobInfo
from connectors.sdk.placeholders import names_in_text

log = logging.getLogger(__name__)

FilterMode = Literal["DISABLED", "LAX", "STRICT"]
Allowed = Callable[[str], bool]

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_ZEEBE = "{http://camunda.org/schema/zeebe/1.0}"
# ProcessDefinitionSecretKeyCache.OUTBOUND_ELIGIBLE_TYPES
_OUTBOUND_TASKS = frozenset(
    f"{_BPMN}{tag}" for tag in ("serviceTask", "sendTask", "scriptTask", "businessRuleTask")
)
_SUBPROCESSES = frozenset(
    f"{_BPMN}{tag}" for tag in ("subProcess", "transaction", "adHocSubProcess")
)


class SecretFilterError(SecretError):
    """``STRICT``: the names a job may use could not be read (an ordinary failure)."""

    error_type: ClassVar[str] = "switchboard.SecretFilterError"


class ProcessXmlSource(Protocol):
    """Where the BPMN XML of a process definition comes from (an engine adapter)."""

    async def __call__(self, process_definition_key: int) -> str: ...


def element_secret_names(bpmn_xml: str | bytes) -> dict[str, list[str]]:
    """Per element id, the secret names its input mappings reference: service, send,
    script and business-rule tasks that carry an element template (also inside
    sub-processes), as Camunda's ``ProcessDefinitionSecretKeyCache`` reads them."""
    root = ET.fromstring(bpmn_xml)
    found: dict[str, list[str]] = {}
    for process in root.iter(f"{_BPMN}process"):
        for element in _flow_elements(process):
            if element.tag not in _OUTBOUND_TASKS:
                continue
            if element.get(f"{_ZEEBE}modelerTemplate") is None:
                continue
            names: list[str] = []
            for io in element.iter(f"{_ZEEBE}ioMapping"):
                for mapping in io.findall(f"{_ZEEBE}input"):
                    for name in sorted(names_in_text(mapping.get("source") or "")):
                        if name not in names:
                            names.append(name)
            found[element.get("id", "")] = names
    return found


def _flow_elements(container: ET.Element) -> list[ET.Element]:
    elements: list[ET.Element] = []
    for child in container:
        if child.tag in _SUBPROCESSES:
            elements.extend(_flow_elements(child))
        else:
            elements.append(child)
    return elements


class SecretFilter:
    """Decides, per job, which secret names may be resolved.

    ``source`` gives a process definition's BPMN XML by key; without one, ``LAX`` allows
    everything and ``STRICT`` cannot work (a configuration error).
    """

    def __init__(
        self,
        mode: FilterMode = "DISABLED",
        source: ProcessXmlSource | Callable[[int], Awaitable[str]] | None = None,
        *,
        cache_size: int = 1000,
    ) -> None:
        if mode == "STRICT" and source is None:
            raise SecretsConfigError(
                "SWITCHBOARD_SECRETS_FILTER_MODE=STRICT needs the process definitions' BPMN "
                "XML, which the configured engine does not provide"
            )
        if mode == "LAX" and source is None:
            log.warning(
                "SWITCHBOARD_SECRETS_FILTER_MODE=LAX: the configured engine does not provide "
                "process definitions, so every secret may be resolved"
            )
        self.mode = mode
        self._source = source
        self._cache: OrderedDict[int, dict[str, list[str]]] = OrderedDict()
        self._cache_size = cache_size

    async def allowed(self, job: JobInfo) -> Allowed | None:
        """A predicate over secret names for ``job``; ``None`` when every name is allowed.

        Raises :class:`SecretFilterError` in ``STRICT`` mode when the names cannot be read.
        """
        if self.mode == "DISABLED" or self._source is None:
            return None
        try:
            names = frozenset(await self._names(job.process_definition_key, job.element_id))
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if self.mode == "STRICT":
                raise SecretFilterError(
                    f"Error retrieving secret keys for element '{job.element_id}' of process "
                    f"definition {job.process_definition_key}: {reason}"
                ) from None
            log.warning(
                "cannot read the secrets of element '%s' in process definition %s (%s); "
                "every secret is allowed as the secret filter mode is LAX",
                job.element_id,
                job.process_definition_key,
                reason,
            )
            return None
        return names.__contains__

    async def _names(self, key: int, element_id: str) -> Collection[str]:
        by_element = self._cache.get(key)
        if by_element is None:
            assert self._source is not None
            by_element = element_secret_names(await self._source(key))
            self._cache[key] = by_element
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return by_element.get(element_id, ())
