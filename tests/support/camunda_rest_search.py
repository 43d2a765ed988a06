"""The Orchestration Cluster REST stand-in's element-instance and variable searches, over the
test gateway's process instances.

Shapes from Camunda's OpenAPI spec (camunda/camunda ``zeebe/gateway-protocol/src/main/proto/
v2/element-instances.yaml`` and ``variables.yaml``, as the SDK ``camunda-orchestration-sdk``
10.x reads them: ``ElementInstanceResult`` and ``VariableSearchResult`` with every required
field). Keys are strings. Only what the gateway models is listed: the token each active
instance holds at its current element (a service task's job, a catch event's or receive task's
subscription) as an ACTIVE element instance, and each instance's variables at its own scope.
``truncateValues`` (default true) cuts values longer than :data:`TRUNCATE_AT` characters and
sets ``isTruncated``, so a client that wants whole values must ask for them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from tests.support.gateway import DEFAULT_TENANT, TestGateway
from tests.support.rest_requests import (
    Problem,
    _is_bool,
    _is_int,
    _is_object,
    _is_str,
    _read,
    _unparsable,
)

DEFAULT_PAGE_LIMIT = 100
TRUNCATE_AT = 8191

_TYPES = {
    "serviceTask": "SERVICE_TASK",
    "intermediateCatchEvent": "INTERMEDIATE_CATCH_EVENT",
    "receiveTask": "RECEIVE_TASK",
}


def _is_key_filter(value: Any) -> bool:
    # A key property: the key as a string, or an advanced filter ({"$eq": "1"}, {"$in": [...]}).
    return isinstance(value, str | dict)


def _is_text_filter(value: Any) -> bool:
    return isinstance(value, str | dict)


ELEMENT_INSTANCE_FILTER = {
    "processDefinitionId": _is_str,
    "state": _is_text_filter,
    "type": _is_str,
    "elementId": _is_text_filter,
    "elementName": _is_text_filter,
    "hasIncident": _is_bool,
    "tenantId": _is_str,
    "elementInstanceKey": _is_key_filter,
    "processInstanceKey": _is_key_filter,
    "processDefinitionKey": _is_key_filter,
    "incidentKey": _is_key_filter,
}
VARIABLE_FILTER = {
    "name": _is_text_filter,
    "value": _is_text_filter,
    "tenantId": _is_str,
    "isTruncated": _is_bool,
    "variableKey": _is_key_filter,
    "scopeKey": _is_key_filter,
    "processInstanceKey": _is_key_filter,
}
PAGE = {"from": _is_int, "limit": _is_int, "after": _is_str, "before": _is_str}
STATISTICS_PAGE = {"limit": _is_int, "after": _is_str}  # JobTypeStatisticsQueryPage
SUBSCRIPTION_STATISTICS_FILTER = {
    "messageSubscriptionState": _is_text_filter,
    "processDefinitionKey": _is_key_filter,
    "processDefinitionId": _is_text_filter,
    "processInstanceKey": _is_key_filter,
    "elementId": _is_text_filter,
    "messageName": _is_text_filter,
    "correlationKey": _is_text_filter,
    "tenantId": _is_text_filter,
}


def element_instance_rows(gateway: TestGateway) -> list[dict[str, Any]]:
    """An ACTIVE element instance for every token the gateway's instances hold."""
    rows = []
    for instance in gateway.instances.values():
        if instance.state == "completed" or instance.current_element is None:
            continue
        if instance.element_instance_key is None:
            continue
        definition = instance.definition
        element = definition.elements[instance.current_element]
        rows.append(
            {
                "processDefinitionId": definition.bpmn_process_id,
                "startDate": _iso(instance.started_at),
                "endDate": None,
                "elementId": element.id,
                "elementName": element.id,
                "type": _TYPES.get(element.kind, "UNKNOWN"),
                "state": "ACTIVE",
                "hasIncident": instance.state == "incident",
                "tenantId": getattr(definition, "tenant_id", DEFAULT_TENANT),
                "elementInstanceKey": str(instance.element_instance_key),
                "processInstanceKey": str(instance.key),
                "rootProcessInstanceKey": str(instance.key),
                "processDefinitionKey": str(definition.key),
                "incidentKey": None,
            }
        )
    return sorted(rows, key=lambda r: int(r["elementInstanceKey"]))


def variable_rows(
    gateway: TestGateway, keys: dict[tuple[int, str], str], *, truncate: bool
) -> list[dict[str, Any]]:
    """Every instance's variables, at the process instance's scope. ``keys`` keeps each
    variable's key (numeric, as every v2 key) from one search to the next."""
    rows = []
    for instance in gateway.instances.values():
        tenant = getattr(instance.definition, "tenant_id", DEFAULT_TENANT)
        for name, value in instance.variables.items():
            text = json.dumps(value)
            cut = truncate and len(text) > TRUNCATE_AT
            rows.append(
                {
                    "value": text[:TRUNCATE_AT] if cut else text,
                    "isTruncated": cut,
                    "name": name,
                    "tenantId": tenant,
                    "variableKey": keys.setdefault((instance.key, name), str(next(gateway._keys))),
                    "scopeKey": str(instance.key),
                    "processInstanceKey": str(instance.key),
                    "rootProcessInstanceKey": str(instance.key),
                }
            )
    return rows


def subscription_statistics_rows(gateway: TestGateway) -> list[dict[str, Any]]:
    """Per process definition, its open message subscriptions (state CREATED): rows of
    ``ProcessDefinitionMessageSubscriptionStatisticsResult`` plus the filterable fields
    (removed from the answer by :func:`statistics_answer`)."""
    grouped: dict[int, dict[str, Any]] = {}
    for subscription in gateway.subscriptions:
        instance = gateway.instances.get(subscription.instance_key)
        if instance is None:
            continue
        definition = instance.definition
        row = grouped.setdefault(
            definition.key,
            {
                "processDefinitionId": definition.bpmn_process_id,
                "tenantId": subscription.tenant_id,
                "processDefinitionKey": str(definition.key),
                "processInstancesWithActiveSubscriptions": 0,
                "activeSubscriptions": 0,
                "messageSubscriptionState": "CREATED",
                "_instances": set(),
            },
        )
        row["activeSubscriptions"] += 1
        row["_instances"].add(instance.key)
        row["processInstancesWithActiveSubscriptions"] = len(row["_instances"])
    return sorted(grouped.values(), key=lambda r: int(r["processDefinitionKey"]))


def statistics_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """The statistics answer without the stand-in's own bookkeeping fields."""
    items = [
        {k: v for k, v in item.items() if not k.startswith("_") and k != "messageSubscriptionState"}
        for item in answer["items"]
    ]
    return {"items": items, "page": answer["page"]}


def search(
    rows: list[dict[str, Any]],
    body: Any,
    filters_schema: dict[str, Any],
    key: str,
    page_schema: dict[str, Any] = PAGE,
) -> dict[str, Any]:
    """Filter and page ``rows`` as a v2 ``.../search`` endpoint does (sorted by ``key``)."""
    request = _read(body, {"filter": _is_object, "sort": _is_list, "page": _is_object})
    filters = _read(request.get("filter"), filters_schema, "filter.")
    if request.get("sort"):
        raise Problem(400, "INVALID_ARGUMENT", "The stand-in does not sort searches.")
    page = _read(request.get("page"), page_schema, "page.")
    limit = page.get("limit", DEFAULT_PAGE_LIMIT)
    if limit < 0:
        raise Problem(
            400,
            "INVALID_ARGUMENT",
            f"The value for page.limit is '{limit}' but must be a non-negative number.",
        )
    matching = [r for r in rows if all(_holds(r.get(n), w) for n, w in filters.items())]
    start = cursor_index(page["after"]) + 1 if "after" in page else page.get("from", 0)
    items = matching[start : start + limit]
    return {
        "items": items,
        "page": {
            "totalItems": len(matching),
            "hasMoreTotalItems": False,
            "startCursor": cursor(start, items[0][key]) if items else None,
            "endCursor": cursor(start + len(items) - 1, items[-1][key]) if items else None,
        },
    }


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _holds(value: Any, wanted: Any) -> bool:
    if not isinstance(wanted, dict):
        return bool(value == wanted)
    for operator, operand in wanted.items():
        if operator == "$eq" and value != operand:
            return False
        if operator == "$neq" and value == operand:
            return False
        if operator == "$in" and value not in operand:
            return False
        if operator == "$exists" and (value is not None) != operand:
            return False
        if operator not in ("$eq", "$neq", "$in", "$exists"):
            raise _unparsable(operator)
    return True


def _iso(epoch: float) -> str:
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cursor(index: int, key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps({"i": index, "k": key}).encode()).decode()


def cursor_index(text: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(text.encode()))["i"])
    except (ValueError, KeyError, TypeError):
        raise _unparsable("page.after") from None
