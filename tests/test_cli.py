"""The installed `qabot` command, run as a subprocess the way people run it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

QABOT = shutil.which("qabot", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(
    QABOT is None, reason="the qabot script is not installed next to this Python (pip install -e .)"
)

FIRST_RUN = """\
/ask How do I negotiate a salary offer? #career
/as bob
/answer Q1 Know your market rate first.
/as carol
/react A1 👍
/as dave
/react A1 :+1:
/react Q1 ⬆️
"""


def qabot(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed command with only the environment a test gives it."""
    assert QABOT is not None
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QABOT_", "SLACK_", "DISCORD_"))
    }
    clean["QABOT_LOGGING_LEVEL"] = "WARNING"
    return subprocess.run(
        [QABOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=clean | (env or {}),
        timeout=30,
        check=False,
    )


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_console_keeps_everything_for_the_next_run(tmp_path: Path) -> None:
    db = tmp_path / "board.db"
    first = qabot("console", "--db", str(db), cwd=tmp_path, stdin=FIRST_RUN)
    assert first.returncode == 0, first.stderr
    second = qabot("console", "--db", str(db), cwd=tmp_path, stdin="/top\n/ask Another?\n")
    assert second.stdout.splitlines()[:4] == [
        "Top answers in #general, this week:",
        " 1. A1  +2 (↑2 ↓0)",
        "    Know your market rate first. (by bob)",
        "    on Q1: How do I negotiate a salary offer?",
    ]
    assert "Q2 asked by you in #general: Another?" in second.stdout


def test_console_bad_lines_get_sentences_and_no_traceback(tmp_path: Path) -> None:
    script = '/ask\n/ask bad\x07bell\n/react Q9 👍\n/top never\n/search (("*\n/nope\nhi\n/top\n'
    result = qabot("console", "--db", str(tmp_path / "b.db"), cwd=tmp_path, stdin=script)
    replies = [line for line in result.stdout.splitlines() if line]
    assert result.returncode == 0
    assert replies[:7] == [
        "Your question is empty: please write something.",
        "Your question contains control characters; please remove them.",
        "There is no Q9 here.",
        "I don't understand 'never'. Try `/top`, `/top month #ml` or `/top Q12`.",
        "Give me some words to search for, like `/search salary negotiation`.",
        "There is no /nope command. Type /help to see them all.",
        "Commands start with /, like /ask or /top. Type /help to see them all.",
    ]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("text", "env", "line"),
    [
        ("[storage]\nbogus = 1\n", {}, "unknown key [storage] bogus"),
        ('[slack]\nport = "3000"\n', {}, "[slack] port must be an integer, got '3000'"),
        ("[slack]\nenabled = true\n", {}, "[slack] is enabled but SLACK_BOT_TOKEN is not set"),
        ("[discord]\nenabled = true\n", {}, "[discord] is enabled but DISCORD_TOKEN is not set"),
        ("", {"QABOT_SLACK_PORT": "eighty"},
         "[slack] port must be an integer, got 'eighty' (from QABOT_SLACK_PORT)"),
    ],
    ids=["unknown key", "wrong type", "missing slack token", "missing discord token", "bad env"],
)  # fmt: skip
def test_run_with_bad_settings_exits_2_with_one_line(
    tmp_path: Path, text: str, env: dict[str, str], line: str
) -> None:
    result = qabot("run", "--config", str(config(tmp_path, text)), cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr, result.stdout) == (2, f"qabot: {line}\n", "")


def test_run_without_a_platform_says_so_and_starts_the_console(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    result = qabot(
        "run", cwd=tmp_path, stdin="/ask Anyone hiring?\n", env={"QABOT_STORAGE_URL": url}
    )
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "qabot: no chat platform is enabled ([slack] or [discord] in the config); "
        "starting the console."
    ]
    assert result.stdout.startswith("Q1 asked by you in #general: Anyone hiring?")


def test_migrate_creates_a_new_store(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    result = qabot("migrate", cwd=tmp_path, env={"QABOT_STORAGE_URL": f"sqlite:///{db}"})
    assert result.returncode == 0
    assert result.stdout == f"qabot: the store at sqlite:///{db} is up to date.\n"
    with sqlite3.connect(db) as opened:
        tables = {row[0] for row in opened.execute("SELECT name FROM sqlite_master")}
        versions = [row[0] for row in opened.execute("SELECT version FROM schema_migrations")]
    assert {"posts", "votes", "question_tags", "workspaces"} <= tables
    assert 1 in versions


def test_migrate_twice_changes_nothing(tmp_path: Path) -> None:
    env = {"QABOT_STORAGE_URL": f"sqlite:///{tmp_path / 'twice.db'}"}
    qabot("migrate", cwd=tmp_path, env=env)
    again = qabot("migrate", cwd=tmp_path, env=env)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_recount_repairs_a_score_corrupted_in_the_file(tmp_path: Path) -> None:
    db = tmp_path / "drift.db"
    qabot("console", "--db", str(db), cwd=tmp_path, stdin=FIRST_RUN)
    with sqlite3.connect(db) as opened:
        opened.execute("UPDATE posts SET ups = 40, downs = 3 WHERE kind = 'A'")
    result = qabot("recount", cwd=tmp_path, env={"QABOT_STORAGE_URL": f"sqlite:///{db}"})
    assert result.stdout == "qabot: recounted every score from the vote rows; 1 corrected.\n"
    with sqlite3.connect(db) as opened:
        assert opened.execute("SELECT ups, downs FROM posts WHERE kind = 'A'").fetchall() == [
            (2, 0)
        ]


def test_a_store_in_a_missing_folder_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "x.db"
    result = qabot("console", "--db", str(missing), cwd=tmp_path, stdin="/top\n")
    assert result.returncode == 2
    assert result.stderr == (
        f"qabot: [storage] url sqlite:///{missing} cannot be opened: unable to open database file\n"
    )


def test_a_file_that_is_no_database_is_one_line_and_the_command_ends(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    result = qabot("migrate", cwd=tmp_path, env={"QABOT_STORAGE_URL": f"sqlite:///{notes}"})
    assert result.returncode == 2
    assert result.stderr.endswith("cannot be opened: file is not a database\n")
    assert len(result.stderr.splitlines()) == 1


def test_even_debug_logs_never_name_an_anonymous_asker(tmp_path: Path) -> None:
    script = "/ask Am I underpaid? --anon\n/as bob\n/answer Q1 Yes.\n/as zoe\n/accept A1\n"
    script += "/react Q1 👍\n/react A1 ✅\n/top all\n/search underpaid\n"
    result = qabot(
        "console", "--db", str(tmp_path / "anon.db"), "--as", "zoe",
        cwd=tmp_path, stdin=script, env={"QABOT_LOGGING_LEVEL": "DEBUG"},
    )  # fmt: skip
    assert "accepted A1" in result.stderr  # the log is on, and busy
    assert "zoe" not in (result.stderr + result.stdout.split("You are now zoe.")[1]).lower()


def test_qabot_config_in_the_environment_names_the_file(tmp_path: Path) -> None:
    path = config(tmp_path, "[console]\nchanel = 'jobs'\n")
    result = qabot("console", cwd=tmp_path, env={"QABOT_CONFIG": str(path)})
    assert (result.returncode, result.stderr) == (2, "qabot: unknown key [console] chanel\n")


def test_a_qabot_toml_in_the_working_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "qabot.toml").write_text("[console]\nchannel = 'jobs'\n", encoding="utf-8")
    result = qabot("console", "--db", str(tmp_path / "c.db"), cwd=tmp_path, stdin="/top\n")
    assert result.stdout.startswith("Top answers in #jobs, this week")


def test_a_bad_name_on_the_command_line_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = qabot("console", "--db", str(tmp_path / "n.db"), "--as", "bad name!", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "qabot: A user name is 1 to 40 letters, digits, dots, dashes or underscores, like alice.\n"
    )
