"""The properties every outbound connector template carries, whatever its input model.

Header names and defaults follow Camunda's connector templates, so processes modelled with
either set of templates behave the same on Switchboard.
"""

from __future__ import annotations

from typing import Any

from connectors.sdk.fields import Group

OUTPUT_GROUP = Group("output", "Output mapping")
ERROR_GROUP = Group("error", "Error handling")
RETRIES_GROUP = Group("retries", "Retries")
STANDARD_GROUPS = (OUTPUT_GROUP, ERROR_GROUP, RETRIES_GROUP)

_DOCS = "https://docs.camunda.io/docs/components/connectors/use-connectors/"

# java.time.Duration.parse forms (PnDTnHnMn.nS, signs allowed, case-insensitive), the form
# the runtime accepts for retryBackoff and jobTimeout. JavaScript regex syntax.
_NUMBER = r"[-+]?\d+"
_TIME = rf"[Tt](?=[-+]?\d)(?:{_NUMBER}[Hh])?(?:{_NUMBER}[Mm])?(?:{_NUMBER}(?:[.,]\d{{0,9}})?[Ss])?"
DURATION_PATTERN = rf"^[-+]?[Pp](?:{_NUMBER}[Dd](?:{_TIME})?|{_TIME})$"
_DURATION_MESSAGE = "Must be an ISO-8601 duration such as PT30S, PT5M or P1DT2H"


def task_type(job_type: str) -> dict[str, Any]:
    """The hidden job type the worker subscribes to."""
    return {
        "type": "Hidden",
        "value": job_type,
        "binding": {"type": "zeebe:taskDefinition", "property": "type"},
    }


def template_headers(template_id: str, version: int) -> list[dict[str, Any]]:
    """Hidden headers naming the template, used as metric and log tags by the runtime."""
    return [
        {
            "id": "elementTemplateVersion",
            "label": "Version",
            "description": "Version of the element template",
            "type": "Hidden",
            "value": str(version),
            "binding": {"type": "zeebe:taskHeader", "key": "elementTemplateVersion"},
        },
        {
            "id": "elementTemplateId",
            "label": "ID",
            "description": "ID of the element template",
            "type": "Hidden",
            "value": template_id,
            "binding": {"type": "zeebe:taskHeader", "key": "elementTemplateId"},
        },
    ]


def output_properties() -> list[dict[str, Any]]:
    """``resultVariable`` and ``resultExpression`` headers."""
    return [
        {
            "id": "resultVariable",
            "label": "Result variable",
            "description": "Name of the variable to store the whole response in",
            "type": "String",
            "group": OUTPUT_GROUP.id,
            "binding": {"type": "zeebe:taskHeader", "key": "resultVariable"},
        },
        {
            "id": "resultExpression",
            "label": "Result expression",
            "description": (
                "FEEL expression mapping the response into process variables; it must yield "
                f'a context. Details in the <a href="{_DOCS}#result-expression" '
                'target="_blank">documentation</a>.'
            ),
            "type": "Text",
            "feel": "required",
            "group": OUTPUT_GROUP.id,
            "binding": {"type": "zeebe:taskHeader", "key": "resultExpression"},
        },
    ]


def error_properties() -> list[dict[str, Any]]:
    """The ``errorExpression`` header."""
    return [
        {
            "id": "errorExpression",
            "label": "Error expression",
            "description": (
                "FEEL expression deciding what happens after success or failure: "
                "bpmnError(code, message), jobError(message) or ignoreError(). Details in the "
                f'<a href="{_DOCS}#bpmn-errors" target="_blank">documentation</a>.'
            ),
            "type": "Text",
            "feel": "required",
            "group": ERROR_GROUP.id,
            "binding": {"type": "zeebe:taskHeader", "key": "errorExpression"},
        },
    ]


def retry_properties(retry_backoff: str = "PT0S") -> list[dict[str, Any]]:
    """Retries (task definition), ``retryBackoff`` (default ``retry_backoff``) and
    ``jobTimeout`` headers."""
    return [
        {
            "id": "retryCount",
            "label": "Retries",
            "description": "Number of retries",
            "type": "String",
            "value": "3",
            "feel": "optional",
            "group": RETRIES_GROUP.id,
            "binding": {"type": "zeebe:taskDefinition", "property": "retries"},
        },
        {
            "id": "retryBackoff",
            "label": "Retry backoff",
            "description": "ISO-8601 duration to wait between retries",
            "type": "String",
            "value": retry_backoff,
            "constraints": {
                "notEmpty": True,
                "pattern": {"value": DURATION_PATTERN, "message": _DURATION_MESSAGE},
            },
            "group": RETRIES_GROUP.id,
            "binding": {"type": "zeebe:taskHeader", "key": "retryBackoff"},
        },
        {
            "id": "jobTimeout",
            "label": "Job timeout",
            "description": (
                "ISO-8601 duration after which Zeebe considers the job timed out if not yet "
                "completed. Leave empty to use the worker's default"
            ),
            "type": "String",
            "optional": True,
            "constraints": {
                "notEmpty": False,
                "pattern": {"value": f"^$|{DURATION_PATTERN}", "message": _DURATION_MESSAGE},
            },
            "group": RETRIES_GROUP.id,
            "binding": {"type": "zeebe:taskHeader", "key": "jobTimeout"},
        },
    ]
