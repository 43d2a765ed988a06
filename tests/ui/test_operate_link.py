"""The execution page links to the process instance in Operate when SWITCHBOARD_OPERATE_URL is
set. Operate's route for a process instance is ``/processes/{processInstanceKey}`` under its
base path (camunda/camunda operate/client/src/modules/Routes.tsx, ``Paths.processInstance``)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from app.settings import Settings
from tests.api.harness import client, execution, insert, make_key, running_app
from tests.ui.test_ui_http import sign_in

ECHO = "switchboard:echo:1"


async def test_execution_page_links_to_operate(migrated: str) -> None:
    now = dt.datetime.now(dt.UTC)
    with_instance = execution(ECHO, now, process_instance_key=2251799813685249)
    without = execution(ECHO, now, source="rest")
    async with running_app(migrated, operate_url="http://localhost:8081/operate/") as app:
        await insert(app, [with_instance, without])
        async with client(app) as c:
            await sign_in(c, await make_key(app, "viewer"))
            linked = await c.get(f"/ui/executions/{with_instance.id}")
            unlinked = await c.get(f"/ui/executions/{without.id}")
    assert linked.status_code == 200
    assert 'id="operate-link" href="http://localhost:8081/operate/processes/2251799813685249"' in (
        linked.text
    )
    assert 'id="operate-link"' not in unlinked.text  # no process instance key


async def test_no_link_without_the_setting(migrated: str) -> None:
    row = execution(ECHO, dt.datetime.now(dt.UTC), process_instance_key=42)
    async with running_app(migrated) as app:
        await insert(app, [row])
        async with client(app) as c:
            await sign_in(c, await make_key(app, "viewer"))
            page = await c.get(f"/ui/executions/{row.id}")
    assert page.status_code == 200 and 'id="operate-link"' not in page.text


@pytest.mark.parametrize("value", ["localhost:8081", "ftp://x/operate", "http://x/o?a=1"])
def test_operate_url_must_be_http(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None, operate_url=value)
    assert "SWITCHBOARD_OPERATE_URL" in str(raised.value) or "operate_url" in str(raised.value)


def test_blank_operate_url_is_unset() -> None:
    assert Settings(_env_file=None, operate_url="").operate_url is None
