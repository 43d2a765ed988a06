"""``switchboard invoke``: the real console script, plus in-process runs for the edge cases."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from app.cli import main
from app.db.models import ExecutionRow

SECRET = "cli-secret-value-42"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("switchboard")
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_echo_with_result_variable_console_script() -> None:
    done = run_cli(
        "invoke",
        "switchboard:echo:1",
        "--variables",
        '{"a":1}',
        "--headers",
        '{"resultVariable":"r"}',
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "command": "complete",
        "variables": {"r": {"a": 1}},
        "errorCode": None,
        "errorMessage": None,
        "retries": None,
        "backoffMs": None,
        "warnings": [],
    }


def test_fail_exit_code_and_masked_secret_console_script() -> None:
    done = run_cli(
        "invoke",
        "switchboard:echo:1",
        "--variables",
        '{"fail_code": "E7", "fail_message": "denied for {{secrets.CLI_TOKEN}}"}',
        "--headers",
        '{"retryBackoff": "PT3S"}',
        "--retries",
        "5",
        env={"SECRET_CLI_TOKEN": SECRET},
    )
    assert done.returncode == 1, done.stderr
    out = json.loads(done.stdout)
    assert out["command"] == "fail"
    assert (out["errorCode"], out["retries"], out["backoffMs"]) == ("E7", 4, 3000)
    assert out["errorMessage"] == "denied for ***"
    assert SECRET not in done.stdout + done.stderr


def test_throw_error_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "invoke",
            "switchboard:echo:1",
            "--variables",
            '{"status": 409}',
            "--headers",
            json.dumps({"errorExpression": '=bpmnError("CONFLICT", "status " + string(status))'}),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 3  # a BPMN error (docs/cli.md: 2 is argparse's usage error)
    assert (out["command"], out["errorCode"], out["errorMessage"]) == (
        "throw_error",
        "CONFLICT",
        "status 409",
    )


def test_complete_output_is_masked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_CLI_TOKEN", SECRET)
    code = main(
        [
            "invoke",
            "switchboard:echo:1",
            "--variables",
            '{"t": "{{secrets.CLI_TOKEN}}"}',
            "--headers",
            '{"resultVariable": "r"}',
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["variables"] == {"r": {"t": "***"}}
    assert SECRET not in captured.out + captured.err


def test_unknown_type_stops_before_running_and_lists_known_types(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["invoke", "no:such:1"])
    captured = capsys.readouterr()
    assert code == 64  # arguments the command refuses (docs/cli.md), nothing run
    assert captured.out == ""
    assert "unknown job type 'no:such:1'" in captured.err
    assert "switchboard:echo:1" in captured.err


def test_variables_from_file_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vars.json"
    path.write_text('{"from": "file"}', encoding="utf-8")
    headers = ["--headers", '{"resultVariable": "r"}']
    assert main(["invoke", "switchboard:echo:1", "--variables", f"@{path}", *headers]) == 0
    assert json.loads(capsys.readouterr().out)["variables"] == {"r": {"from": "file"}}
    monkeypatch.setattr("sys.stdin", io.StringIO('{"from": "stdin"}'))
    assert main(["invoke", "switchboard:echo:1", "--variables", "-", *headers]) == 0
    assert json.loads(capsys.readouterr().out)["variables"] == {"r": {"from": "stdin"}}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--variables", "{nope"], "--variables: invalid JSON"),
        (["--variables", "[1]"], "--variables: must be a JSON object"),
        (["--variables", "@/nonexistent/file.json"], "--variables: cannot read"),
        (["--headers", '{"retryBackoff": 5}'], "--headers: the value of 'retryBackoff'"),
        (["--headers", '"x"'], "--headers: must be a JSON object"),
        (["--retries", "-1"], "--retries: must be >= 0"),
    ],
)
def test_invalid_arguments(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["invoke", "switchboard:echo:1", *args])
    captured = capsys.readouterr()
    assert code == 64
    assert captured.out == ""
    assert message in captured.err


def test_record_writes_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "history.db"
    engine = create_engine(f"sqlite:///{database}")
    ExecutionRow.__table__.create(engine)
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("SECRET_CLI_TOKEN", SECRET)
    code = main(
        [
            "invoke",
            "switchboard:echo:1",
            "--variables",
            '{"t": "{{secrets.CLI_TOKEN}}"}',
            "--headers",
            '{"resultVariable": "r"}',
            "--record",
        ]
    )
    assert code == 0
    capsys.readouterr()
    with engine.connect() as conn:
        rows = conn.execute(select(ExecutionRow.__table__)).mappings().all()
    engine.dispose()
    assert len(rows) == 1
    assert rows[0]["source"] == "cli"
    assert rows[0]["worker"] == "switchboard-cli"
    assert rows[0]["output"] == {"r": {"t": "***"}}
    assert rows[0]["input"] == {"t": "{{secrets.CLI_TOKEN}}"}


def test_feel_warning_of_a_misspelt_function_is_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A typo in a function name is null, as in Camunda (feel-scala reports a suppressed
    NO_FUNCTION_FOUND failure: src/test/scala/org/camunda/feel/impl/SuppressedFailuresTest.scala
    and src/main/scala/org/camunda/feel/api/EvaluationFailureType.scala), and the invoke
    output says why and where."""
    expression = "={a: foo(response)}"
    code = main(
        [
            "invoke",
            "switchboard:echo:1",
            "--variables",
            '{"x": 1}',
            "--headers",
            json.dumps({"resultExpression": expression}),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    out = json.loads(captured.out)
    assert out["variables"] == {"a": None}
    assert out["warnings"] == [
        {
            "expression": "resultExpression",
            "type": "NO_FUNCTION_FOUND",
            "message": "No function found with name 'foo'",
            "span": [5, 18],
        }
    ]
    assert expression[5:18] == "foo(response)"
    assert (
        "FEEL warning NO_FUNCTION_FOUND in resultExpression at 5-18: "
        "No function found with name 'foo'\n"
        "  ={a: foo(response)}\n"
        "       ^^^^^^^^^^^^^"
    ) in captured.err
