"""Fault: Vault goes away mid-run and comes back, the application is not restarted.

A real OpenBao server with raft storage (not dev mode, so its secrets survive a restart, as
a production Vault's do) serves the secret of echo jobs fed at a steady rate. The test stops
the process (connections refused), starts it again (it answers "sealed", 503) and unseals
it. Jobs that needed the secret meanwhile fail transiently: FailJob with retries - 1 and the
``retryBackoff`` header's backoff, never retries 0 (no incident); Zeebe hands them out again
after the backoff, and once Vault answers they complete with the secret, without restarting
Switchboard. In Camunda's runtime too a secret provider that cannot answer costs one retry
(``job.getRetries() - 1`` with the configured backoff) while a missing secret is an input
error: camunda/connectors ``manageConnectorJobHandlerException`` in
connector-runtime/connector-runtime-core/src/main/java/io/camunda/connector/runtime/core/outbound/OutboundConnectorExceptionHandler.java
"""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from connectors.echo import echo
from tests.faults.support import (
    Figures,
    ReadinessRecorder,
    fault_app,
    history_rows,
    persistent_openbao,
    report,
    unique_process_id,
)
from tests.support.gateway import COMPLETED, TestGateway
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(90)

JOBS = 400
RATE = 40  # jobs added per second
RETRIES = 10
BACKOFF_MS = 2000
REFUSED_SECONDS = 3.0  # the process is down this long, then sealed until unsealed
SEALED_SECONDS = 1.0


async def test_vault_down_mid_run_fails_transiently_and_recovers(migrated: str) -> None:
    token = f"tok-{uuid.uuid4().hex}"
    pid = unique_process_id("vault")
    headers = {"resultVariable": "r", "retryBackoff": f"PT{BACKOFF_MS / 1000:g}S"}
    with persistent_openbao() as bao:
        bao.put("faults/FAULT_TOKEN", value=token)
        async with (
            TestGateway() as gateway,
            fault_app(
                migrated,
                (echo,),
                gateway,
                VAULT_ADDR=bao.address,
                VAULT_TOKEN=bao.root_token,
                SWITCHBOARD_VAULT_PATH_PREFIX="faults",
                SWITCHBOARD_VAULT_TIMEOUT_SECONDS=1,
                history_flush_interval_seconds=0.2,
            ) as app,
        ):
            with ReadinessRecorder(app, "secrets") as readiness:
                await eventually(lambda: readiness.is_("up"), within=20, what="Vault up")

                async def feed() -> None:
                    for n in range(JOBS):
                        gateway.add_job(
                            echo.type,
                            {"auth": "Bearer {{secrets.FAULT_TOKEN}}", "n": n},
                            headers,
                            retries=RETRIES,
                            bpmn_process_id=pid,
                        )
                        if n % (RATE // 10) == 0:
                            await asyncio.sleep(0.1)  # pacing

                feeder = asyncio.create_task(feed())
                await gateway.wait_for(
                    lambda: gateway.finished_count >= JOBS // 4, timeout=30, what="a quarter"
                )
                stopped = readiness.now()
                await asyncio.to_thread(bao.stop)
                await asyncio.sleep(REFUSED_SECONDS)  # the outage itself
                await asyncio.to_thread(bao.start)
                await asyncio.sleep(SEALED_SECONDS)  # sealed, answering 503
                unsealed = readiness.now()
                await asyncio.to_thread(bao.unseal)
                await feeder
                await gateway.wait_for(
                    lambda: all(j.state == COMPLETED for j in gateway.jobs.values()),
                    timeout=40,
                    what="every job completed",
                )
                await eventually(lambda: readiness.is_("up"), within=10, what="Vault up again")
            executions = await app.metric("switchboard_invocations_total")
            await eventually(
                lambda: app.app.services.history.queue_depth == 0, within=20, what="flushed"
            )
            rows, keyed = await history_rows(migrated, pid)

    jobs = list(gateway.jobs.values())
    failures = [f for j in jobs for f in j.failures]
    failed_jobs = sum(1 for j in jobs if j.failures)
    completed = sum(1 for j in jobs if j.state == COMPLETED)
    fail_calls = [c for c in gateway.calls_to("FailJob") if c.code is grpc.StatusCode.OK]
    figures = report(
        Figures(
            "Vault down mid-run",
            jobs_sent=len(jobs),
            jobs_completed=completed,
            jobs_lost=len(jobs) - completed,
            rows_expected=int(executions),
            rows_present=rows,
            notes={
                "outage": f"{REFUSED_SECONDS:g} s refused + sealed until unsealed",
                "jobs failed transiently": failed_jobs,
                "FailJob sent": len(fail_calls),
                "with retries 0": sum(1 for f in failures if f.retries == 0),
                "incidents": len(gateway.incidents),
                "most failures of one job": max((len(j.failures) for j in jobs), default=0),
                "readiness secrets": "/".join(readiness.sequence()),
                "UP after unseal": f"{(readiness.first('up', unsealed) or 0) - unsealed:.2f} s",
            },
        )
    )
    print(figures.line())
    assert figures.jobs_lost == 0 and not gateway.incidents
    assert failed_jobs > 0, "the outage hit no job: nothing was proven"
    for job in jobs:
        # Each failure costs one retry, with the header's backoff; none ends in an incident.
        assert [f.retries for f in job.failures] == list(
            range(RETRIES - 1, RETRIES - 1 - len(job.failures), -1)
        )
        assert all(f.backoff_ms == BACKOFF_MS and f.retries > 0 for f in job.failures)
        assert all(
            f.variables["error"]["type"] == "switchboard.SecretProviderError" for f in job.failures
        )
        assert job.completed_variables is not None
        assert job.completed_variables["r"]["auth"] == f"Bearer {token}"
    assert readiness.first("down", stopped) is not None
    assert readiness.first("up", unsealed) is not None
    assert readiness.sequence()[-3:] == ["up", "down", "up"]
    assert rows == executions == len(jobs) + len(failures) and keyed == len(jobs)
