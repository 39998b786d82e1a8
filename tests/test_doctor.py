"""`qabot doctor` as an operator runs it: one line per check, and exit 1 on any FAIL."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QABOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def _doctor_call(tmp_path: Path, config: str, env: dict[str, str]) -> dict[str, Any]:
    path = tmp_path / "qabot.toml"
    path.write_text(config, encoding="utf-8")
    ours = ("QABOT_", "SLACK_", "DISCORD_")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    environment = {**inherited, "PYTHONPATH": str(ROOT), **env}
    return {"args": [*QABOT, "doctor", "--config", str(path)], "env": environment, "cwd": tmp_path}


def _lines(stdout: str, stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return stdout.splitlines()


def doctor(tmp_path: Path, config: str, **env: str) -> tuple[int, list[str]]:
    call = _doctor_call(tmp_path, config, env)
    done = subprocess.run(
        call.pop("args"), **call, capture_output=True, text=True, timeout=60, check=False
    )
    return done.returncode, _lines(done.stdout, done.stderr)


async def doctor_beside(tmp_path: Path, config: str, **env: str) -> tuple[int, list[str]]:
    """`doctor` while this event loop keeps serving a fake platform."""
    call = _doctor_call(tmp_path, config, env)
    process = await asyncio.create_subprocess_exec(
        *call.pop("args"), **call, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, _lines(stdout.decode(), stderr.decode())


def test_a_new_store_is_ok_and_will_be_migrated_at_start(tmp_path: Path) -> None:
    code, lines = doctor(tmp_path, f'[storage]\nurl = "sqlite:///{tmp_path / "new.db"}"\n')
    assert code == 0
    assert lines[0].startswith("ok    config: read ")
    assert lines[1].startswith("ok    store: sqlite:///")
    assert "migrations will be applied at start" in lines[1]


def test_a_migrated_store_is_up_to_date(tmp_path: Path) -> None:
    config = f'[storage]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n'
    (tmp_path / "qabot.toml").write_text(config, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([*QABOT, "migrate", "--config", str(tmp_path / "qabot.toml")], env=env,
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    code, lines = doctor(tmp_path, config)
    assert (code, lines[1].endswith("answers and is up to date")) == (0, True)


def test_a_bad_config_is_one_fail_line_and_exit_1(tmp_path: Path) -> None:
    code, lines = doctor(tmp_path, "[ops]\nport = 99999\n")
    assert (code, lines) == (1, ["FAIL  config: [ops] port must be between 0 and 65535, got 99999"])


def test_a_store_in_a_missing_folder_fails_saying_what_to_do(tmp_path: Path) -> None:
    code, lines = doctor(tmp_path, f'[storage]\nurl = "sqlite:///{tmp_path / "no" / "qa.db"}"\n')
    assert code == 1
    assert lines[1].startswith("FAIL  store: ") and "create it or change the path" in lines[1]


def test_an_ops_port_in_use_fails(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = f'[storage]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n[ops]\nenabled = true\n'
        code, lines = doctor(tmp_path, config + f"port = {port}\n")
    assert code == 1
    assert lines[-1].startswith(f"FAIL  [ops] port: cannot listen on 127.0.0.1:{port}")
