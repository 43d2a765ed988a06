"""The admin UI over HTTP: sessions, CSRF, roles, security headers, local assets only."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.db import apikeys
from app.ui.routes import PAGE_SIZE
from tests.api.harness import client, execution, insert, make_key, running_app
from tests.support.app import StartedApp
from tests.support.openbao import OpenBao, openbao  # noqa: F401  (session fixture)
from tests.support.waiting import eventually

ECHO = "switchboard:echo:1"


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


async def sign_in(c: httpx.AsyncClient, key: str, next_path: str = "/ui/connectors") -> None:
    page = await c.get("/ui/login", params={"next": next_path})
    response = await c.post(
        "/ui/login", data={"api_key": key, "csrf_token": _token(page.text), "next": next_path}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_path


async def test_pages_redirect_to_sign_in(app: StartedApp) -> None:
    async with client(app) as c:
        response = await c.get("/ui/executions", params={"command": "fail"})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/executions%3Fcommand%3Dfail"


async def test_session_cookie_is_httponly_samesite_and_path_scoped(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        cookie = next(
            h for h in c.cookies.jar if h.name == "sb_session"
        )  # the cookie the browser keeps
        assert keys["viewer"] not in cookie.value
        page = await c.get("/ui/connectors")
    assert page.status_code == 200 and ECHO in page.text
    async with client(app) as c:
        raw = await _login_response(c, keys["viewer"])
    set_cookie = next(v for v in raw.headers.get_list("set-cookie") if v.startswith("sb_session="))
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie and "Path=/ui" in set_cookie


async def _login_response(c: httpx.AsyncClient, key: str) -> httpx.Response:
    page = await c.get("/ui/login")
    return await c.post("/ui/login", data={"api_key": key, "csrf_token": _token(page.text)})


async def test_wrong_key_and_missing_csrf_are_refused(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        wrong = await _login_response(c, "sb_wrong-" + "z" * 40)
        no_csrf = await c.post("/ui/login", data={"api_key": keys["admin"]})
        forged = await c.post("/ui/login", data={"api_key": keys["admin"], "csrf_token": "x"})
    assert wrong.status_code == 401 and "not valid or was revoked" in wrong.text
    assert "sb_session" not in wrong.headers.get("set-cookie", "")
    for response in (no_csrf, forged):
        assert response.status_code == 403
        assert "did not come from this site" in response.text
        assert "sb_session" not in response.headers.get("set-cookie", "")


async def test_sign_in_never_redirects_off_site(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app) as c:
        page = await c.get("/ui/login", params={"next": "https://evil.example/"})
        response = await c.post(
            "/ui/login",
            data={
                "api_key": keys["viewer"],
                "csrf_token": _token(page.text),
                "next": "//evil.example/ui",
            },
        )
    assert response.headers["location"] == "/ui/connectors"


async def test_tampered_or_revoked_sessions_end(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app) as c:
        c.cookies.set("sb_session", "eyJrIjoiYWRtaW4ifQ.forged", path="/ui")
        assert (await c.get("/ui/connectors")).status_code == 303
    async with client(app, keys["admin"]) as admin:
        made = (await admin.post("/api/v1/api-keys", json={"name": "ui", "role": "viewer"})).json()
        async with client(app) as c:
            await sign_in(c, made["key"])
            assert (await c.get("/ui/connectors")).status_code == 200
            await admin.delete(f"/api/v1/api-keys/{made['id']}")
            assert (await c.get("/ui/connectors")).status_code == 303


async def test_viewer_sees_no_invoke_form_and_cannot_post_one(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        page = await c.get(f"/ui/connectors/{ECHO}")
        assert 'id="invoke-form"' not in page.text and "needs the operator role" in page.text
        response = await c.post(
            f"/ui/connectors/{ECHO}/invoke",
            data={"variables": "{}", "headers": "{}", "csrf_token": _token(page.text)},
        )
    assert response.status_code == 403
    assert "needs the operator role" in response.text


async def test_operator_invokes_from_the_form(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app) as c:
        await sign_in(c, keys["operator"])
        page = await c.get(f"/ui/connectors/{ECHO}")
        token = _token(page.text)
        form = {"variables": '{"message": "from the form"}', "headers": "{}", "retries": "3"}
        without_token = await c.post(f"/ui/connectors/{ECHO}/invoke", data=form)
        bad_json = await c.post(
            f"/ui/connectors/{ECHO}/invoke",
            data={**form, "variables": "{oops", "csrf_token": token},
        )
        done = await c.post(f"/ui/connectors/{ECHO}/invoke", data={**form, "csrf_token": token})
    assert without_token.status_code == 403
    assert bad_json.status_code == 422 and "variables: not valid JSON" in bad_json.text
    assert done.status_code == 200
    assert 'id="outcome-command">complete<' in done.text
    assert "from the form" in done.text


async def test_pages_use_local_assets_and_security_headers(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        await sign_in(c, keys["admin"])
        pages = [
            await c.get(path)
            for path in (
                "/ui/connectors",
                f"/ui/connectors/{ECHO}",
                "/ui/executions",
                "/ui/executions?direction=inbound&elementId=x&processDefinitionKey=1",
                "/ui/inbound",
                "/ui/stats",
                "/ui/health",
                "/ui/secrets",
                "/ui/api-keys",
            )
        ]
        assets = [await c.get(p) for p in ("/ui/static/app.css", "/ui/static/app.js")]
    for page in pages:
        assert page.status_code == 200, (page.url, page.text[:300])
        assert not re.search(r'(src|href)="(https?:)?//', page.text), page.url
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert "<script>" not in page.text  # no inline script (the CSP would block it)
    assert all(a.status_code == 200 for a in assets)


async def test_template_download(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        response = await c.get(f"/ui/connectors/{ECHO}/element-template")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.json()["id"] == "io.switchboard.connectors.Echo.v1"


async def test_secrets_page_is_for_admins_and_never_shows_values(
    migrated: str,
    keys: dict[str, str],
    openbao: OpenBao,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SECRET_UI_ENV_ONLY", "env-value-never-shown")
    prefix = f"ui-{uuid.uuid4().hex[:8]}"
    async with running_app(
        migrated,
        vault_addr=openbao.address,
        vault_token=openbao.root_token,
        vault_path_prefix=prefix,
    ) as app:
        async with client(app) as viewer:
            await sign_in(viewer, keys["viewer"])
            assert (await viewer.get("/ui/secrets")).status_code == 403
            assert 'href="/ui/secrets"' not in (await viewer.get("/ui/connectors")).text
        async with client(app) as admin:
            await sign_in(admin, keys["admin"])
            page = await admin.get("/ui/secrets")
            assert "UI_ENV_ONLY" in page.text and "env-value-never-shown" not in page.text
            token = _token(page.text)
            saved = await admin.post(
                "/ui/secrets",
                data={"name": "UI_TOKEN", "value": "vault-value-never-shown", "csrf_token": token},
                follow_redirects=True,
            )
            assert saved.status_code == 200 and "UI_TOKEN" in saved.text
            assert "vault-value-never-shown" not in saved.text
            bad = await admin.post(
                "/ui/secrets", data={"name": "bad name!", "value": "v", "csrf_token": token}
            )
            assert bad.status_code == 422
            deleted = await admin.post(
                "/ui/secrets/UI_TOKEN/delete", data={"csrf_token": token}, follow_redirects=True
            )
            listing = await admin.get("/ui/secrets")
    assert deleted.status_code == 200
    assert ">UI_TOKEN<" not in listing.text


async def test_executions_page_filters_and_rows_fragment(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app, keys["operator"]) as api:
        invoked = await api.post(
            f"/api/v1/connectors/{ECHO}/invoke", json={"variables": {"fail_code": "UI_FAIL"}}
        )
    execution_id = invoked.json()["executionId"]
    async with client(app) as c:
        await sign_in(c, keys["viewer"])

        async def listed() -> bool:
            rows = await c.get("/ui/executions/rows", params={"command": "fail"})
            return execution_id in rows.text

        await eventually(listed)
        complete_only = await c.get("/ui/executions/rows", params={"command": "complete"})
        detail = await c.get(f"/ui/executions/{execution_id}")
        bad_key = await c.get("/ui/executions", params={"processInstanceKey": "abc"})
    assert execution_id not in complete_only.text
    assert "UI_FAIL" in detail.text and 'id="execution-command">fail<' in detail.text
    assert "must be a whole number" in bad_key.text


async def test_executions_page_filters_by_time_range_and_error_code(
    app: StartedApp, keys: dict[str, str]
) -> None:
    kind = f"test:ui-filters-{uuid.uuid4().hex[:8]}:1"
    base = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    rows = {
        "early": execution(kind, base - dt.timedelta(hours=2)),
        "timeout": execution(
            kind, base, command="fail", error_code="408", error_message="timed out"
        ),
        "boom": execution(kind, base + dt.timedelta(minutes=30), command="fail", error_code="BOOM"),
        "late": execution(kind, base + dt.timedelta(hours=3)),
    }
    await insert(app, list(rows.values()))

    async def shown(**params: str) -> set[str]:
        response = await c.get("/ui/executions/rows", params={"connectorType": kind, **params})
        assert response.status_code == 200
        return {name for name, row in rows.items() if row.id in response.text}

    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        assert await shown() == set(rows)
        # A datetime-local value has no offset: it is UTC, as the page shows.
        window = {"startedAfter": "2026-03-01T12:00", "startedBefore": "2026-03-01T13:00"}
        assert await shown(**window) == {"timeout", "boom"}
        assert await shown(startedAfter="2026-03-01T12:00:00.001") == {"boom", "late"}
        assert await shown(startedBefore="2026-03-01T13:00:01+01:00") == {"early", "timeout"}
        assert await shown(startedAfter="2026-03-01") == {"early", "timeout", "boom", "late"}
        assert await shown(errorCode="408") == {"timeout"}
        assert await shown(errorCode="BOOM", **window) == {"boom"}
        assert await shown(errorCode="408", startedAfter="2026-03-01T12:00:01") == set()

        page = await c.get(
            "/ui/executions",
            params={"connectorType": kind, "errorCode": "BOOM", **window},
        )
        bad_time = await c.get("/ui/executions", params={"startedAfter": "yesterday"})
        reversed_range = await c.get(
            "/ui/executions",
            params={
                "startedAfter": window["startedBefore"],
                "startedBefore": window["startedAfter"],
            },
        )
        with_offset = await c.get(
            "/ui/executions", params={"startedAfter": "2026-03-01T14:30:00+02:00"}
        )
    # The form shows the chosen values again, so live refresh (which re-sends the page's
    # query string) and "Older" keep them.
    assert page.status_code == 200
    assert rows["boom"].id in page.text and rows["timeout"].id not in page.text
    assert 'id="filter-error-code" value="BOOM"' in page.text
    assert 'id="filter-started-after" value="2026-03-01T12:00"' in page.text
    assert 'id="filter-started-before" value="2026-03-01T13:00"' in page.text
    assert 'name="startedAfter"' in page.text and 'type="datetime-local"' in page.text
    assert "Started from: not a date and time" in bad_time.text
    assert 'id="filter-started-after" value="yesterday"' in bad_time.text
    assert "must be earlier than Started before" in reversed_range.text
    assert 'id="filter-started-after" value="2026-03-01T12:30"' in with_offset.text


async def test_execution_filters_are_kept_in_the_older_link(
    app: StartedApp, keys: dict[str, str]
) -> None:
    kind = f"test:ui-pager-{uuid.uuid4().hex[:8]}:1"
    base = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
    await insert(
        app,
        [
            execution(kind, base + dt.timedelta(seconds=i), command="fail", error_code="E1")
            for i in range(PAGE_SIZE + 1)
        ],
    )
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        first = await c.get(
            "/ui/executions",
            params={"connectorType": kind, "errorCode": "E1", "startedAfter": "2026-04-01T08:00"},
        )
        older = re.search(r'id="older" href="([^"]+)"', first.text)
        assert older, "no link to older executions"
        link = html.unescape(older.group(1))
        query = parse_qs(urlsplit(link).query)
        second = await c.get(link)
    assert query["errorCode"] == ["E1"] and query["startedAfter"] == ["2026-04-01T08:00"]
    assert "cursor" in query
    assert second.status_code == 200 and second.text.count('class="execution-link"') == 1


async def test_api_keys_page_is_for_admins_only(app: StartedApp, keys: dict[str, str]) -> None:
    stored = await apikeys.list_keys(app.services.sessions)
    some_key = stored[0].id
    for role in ("viewer", "operator"):
        async with client(app) as c:
            await sign_in(c, keys[role])
            nav = await c.get("/ui/connectors")
            token = _token(nav.text)
            listing = await c.get("/ui/api-keys")
            created = await c.post(
                "/ui/api-keys", data={"name": "sneaky", "role": "admin", "csrf_token": token}
            )
            revoked = await c.post(f"/ui/api-keys/{some_key}/revoke", data={"csrf_token": token})
        assert 'href="/ui/api-keys"' not in nav.text
        for response in (listing, created, revoked):
            assert response.status_code == 403, (role, response.url)
            assert "needs the admin role" in response.text
    after = await apikeys.list_keys(app.services.sessions)
    assert "sneaky" not in {k.name for k in after}
    assert some_key in {k.id for k in after}


async def test_admin_creates_and_revokes_keys_and_sees_each_key_once(
    app: StartedApp, keys: dict[str, str]
) -> None:
    name = f"ui-made-{uuid.uuid4().hex[:6]}"
    async with client(app) as c:
        await sign_in(c, keys["admin"])
        page = await c.get("/ui/api-keys")
        assert page.status_code == 200 and 'href="/ui/api-keys"' in page.text
        token = _token(page.text)
        without_token = await c.post("/ui/api-keys", data={"name": name, "role": "operator"})
        bad_role = await c.post(
            "/ui/api-keys", data={"name": name, "role": "root", "csrf_token": token}
        )
        blank_name = await c.post(
            "/ui/api-keys", data={"name": "  ", "role": "viewer", "csrf_token": token}
        )
        made = await c.post(
            "/ui/api-keys", data={"name": name, "role": "operator", "csrf_token": token}
        )
        shown = re.search(r'<pre id="new-key">([^<]+)</pre>', made.text)
        assert shown, made.text[:500]
        new_key = shown.group(1)
        listing = await c.get("/ui/api-keys")

        # The new key works, with the role chosen.
        async with client(app, new_key) as api:
            assert (await api.post(f"/api/v1/connectors/{ECHO}/invoke", json={})).status_code == 200
            assert (await api.get("/api/v1/api-keys")).status_code == 403
        stored = next(k for k in await apikeys.list_keys(app.services.sessions) if k.name == name)
        assert (stored.role, stored.origin) == ("operator", "ui")

        forged = await c.post(f"/ui/api-keys/{stored.id}/revoke", data={"csrf_token": "x"})
        unknown = await c.post("/ui/api-keys/no-such-id/revoke", data={"csrf_token": token})
        revoked = await c.post(
            f"/ui/api-keys/{stored.id}/revoke", data={"csrf_token": token}, follow_redirects=True
        )
        with_revoked = await c.get("/ui/api-keys", params={"show": "all"})
        async with client(app, new_key) as api:
            refused = await api.get("/api/v1/connectors")

    assert without_token.status_code == 403
    assert bad_role.status_code == 422 and "role:" in bad_role.text
    assert blank_name.status_code == 422 and "name:" in blank_name.text
    for response in (without_token, bad_role, blank_name):
        assert 'id="new-key"' not in response.text
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    assert new_key.startswith("sb_") and len(new_key) >= 40
    # Listed with its metadata; the key itself (and its hash) never again.
    row = re.search(
        rf'<tr class="api-key" data-key-id="{stored.id}">(.*?)</tr>', listing.text, re.S
    )
    assert row, "the new key is not listed"
    cells = row.group(1)
    assert name in cells and "operator" in cells and stored.prefix in cells
    assert stored.id[:8] in cells and "never" in cells
    for response in (listing, with_revoked, revoked):
        assert new_key not in response.text
        assert apikeys.hash_key(new_key) not in response.text
    assert forged.status_code == 403
    assert unknown.status_code == 404
    assert revoked.status_code == 200 and f"Revoked the API key {name}." in revoked.text
    assert stored.id not in revoked.text  # revoked keys are hidden by default
    assert f'data-key-id="{stored.id}"' in with_revoked.text and "revoked" in with_revoked.text
    assert refused.status_code == 401


async def test_revoking_your_own_key_signs_you_out(app: StartedApp, keys: dict[str, str]) -> None:
    own = await make_key(app, "admin")
    own_id = next(
        k.id for k in await apikeys.list_keys(app.services.sessions) if k.prefix == own[:10]
    )
    async with client(app) as c:
        await sign_in(c, own)
        page = await c.get("/ui/api-keys")
        assert "You are signed in with it" in page.text
        response = await c.post(
            f"/ui/api-keys/{own_id}/revoke", data={"csrf_token": _token(page.text)}
        )
        assert response.status_code == 303
        after = await c.get("/ui/api-keys")
    assert after.status_code == 303 and after.headers["location"].startswith("/ui/login")


async def test_signing_out_ends_the_session_server_side(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        copied = c.cookies.get("sb_session")
        assert copied
        page = await c.get("/ui/connectors")
        assert page.status_code == 200
        out = await c.post("/ui/logout", data={"csrf_token": _token(page.text)})
        assert out.status_code == 303
    # The cookie kept by someone else (or restored by the browser) is refused from now on.
    async with client(app) as thief:
        thief.cookies.set("sb_session", copied, path="/ui")
        replay = await thief.get("/ui/connectors")
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/ui/login")


async def test_a_form_post_without_a_session_is_not_read(app: StartedApp) -> None:
    big = "x" * (6 * 1024 * 1024)  # over SWITCHBOARD_MAX_REQUEST_BYTES
    async with client(app) as c:
        response = await c.post("/ui/secrets", content=f"name=A&value={big}", headers=_FORM)
    # Sent to sign in, not 413: the body was never looked at.
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")


_FORM = {"content-type": "application/x-www-form-urlencoded"}
