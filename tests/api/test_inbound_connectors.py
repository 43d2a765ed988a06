"""Inbound connector types are listed and their element templates served (issue 16.5:
"`switchboard connectors` lists them; the admin UI shows their templates"): the API, the
admin UI's Inbound page and download, and the CLI's connectors / template / templates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.api.harness import client
from tests.support.app import StartedApp
from tests.templates.schema import assert_valid
from tests.ui.test_ui_http import sign_in

ROOT = Path(__file__).parents[2]
WEBHOOK = "io.camunda:webhook:1"
INBOUND = {WEBHOOK, "io.camunda:http-polling:1", "io.camunda:connector-rabbitmq-inbound:1"}


async def test_api_lists_inbound_types_and_serves_their_templates(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        assert (await c.get("/api/v1/inbound-connectors")).status_code == 401
    async with client(app, keys["viewer"]) as c:
        listed = {e["type"]: e for e in (await c.get("/api/v1/inbound-connectors")).json()}
        assert INBOUND <= set(listed)
        webhook = listed[WEBHOOK]
        assert webhook["webhook"] is True and webhook["direction"] == "inbound"
        assert "start_event" in webhook["elementKinds"]
        r = await c.get(webhook["elementTemplatesUrl"])
        assert r.status_code == 200, r.text
        templates = r.json()
        assert isinstance(templates, list) and len(templates) == len(webhook["elementKinds"])
        assert {t["id"] for t in templates} == set(webhook["templateIds"].values())
        for template in templates:
            assert_valid(template, inbound=True)
        missing = await c.get("/api/v1/inbound-connectors/no:such:1/element-templates")
        assert missing.status_code == 404 and "no:such:1" in missing.json()["detail"]
        outbound = (await c.get("/api/v1/connectors")).json()
        assert {e["direction"] for e in outbound} == {"outbound"}


async def test_inbound_page_links_each_type_to_its_templates(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        await sign_in(c, keys["viewer"], "/ui/inbound")
        page = await c.get("/ui/inbound")
        assert page.status_code == 200
        link = "/ui/inbound-connectors/io.camunda%3Awebhook%3A1/element-templates"
        assert 'id="inbound-connectors"' in page.text and link in page.text
        r = await c.get(link)
        assert r.status_code == 200
        assert r.headers["content-disposition"].startswith("attachment;")
        assert all(t["id"].startswith("io.camunda.connectors.webhook") for t in r.json())


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECTOR_", "SWITCHBOARD_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_lists_and_writes_inbound_templates(tmp_path: Path) -> None:
    listed = _cli(tmp_path, "connectors", "--json")
    assert listed.returncode == 0, listed.stderr
    by_type = {e["type"]: e for e in json.loads(listed.stdout)}
    assert INBOUND <= set(by_type)
    assert by_type[WEBHOOK]["direction"] == "inbound"
    assert by_type["switchboard:echo:1"]["direction"] == "outbound"
    table = _cli(tmp_path, "connectors")
    assert any(
        line.startswith(WEBHOOK) and " inbound " in line for line in table.stdout.splitlines()
    )

    one = _cli(tmp_path, "template", WEBHOOK)
    assert one.returncode == 0, one.stderr
    assert {t["id"] for t in json.loads(one.stdout)} == set(
        by_type[WEBHOOK]["templateIds"].values()
    )

    every = _cli(tmp_path, "templates", "--out", "out")
    assert every.returncode == 0, every.stderr
    written = json.loads((tmp_path / "out" / "io.camunda-webhook-1.json").read_text())
    assert isinstance(written, list) and written
    assert (tmp_path / "out" / "io.camunda-http-json-1.json").is_file()
