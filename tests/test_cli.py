"""The installed `qabot` command, run as a subprocess the way people run it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
        "Give me some words to search for, like: salary negotiation.",
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
        "starting the console.",
        f"qabot: using the store at {url}",
    ]
    assert result.stdout.startswith("Q1 asked by you in #general: Anyone hiring?")


def test_run_with_the_web_view_on_and_no_platform_says_the_console_does_not_serve_it(
    tmp_path: Path,
) -> None:
    env = {"QABOT_STORAGE_URL": f"sqlite:///{tmp_path / 'run.db'}", "QABOT_WEB_ENABLED": "true"}
    result = qabot("run", cwd=tmp_path, stdin="/ask Anyone hiring?\n", env=env)
    assert result.returncode == 0
    assert result.stderr.splitlines()[1] == (
        "qabot: the web view is not served beside the console; enable [slack] or [discord] to "
        "serve it."
    )
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
        f"qabot: [storage] url sqlite:///{missing} cannot be opened: the folder {missing.parent} "
        "does not exist; create it or change the path\n"
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


def test_console_says_which_store_it_uses(tmp_path: Path) -> None:
    db = tmp_path / "which.db"
    result = qabot("console", "--db", str(db), cwd=tmp_path, stdin="/top\n")
    assert result.stderr == f"qabot: using the store at sqlite:///{db}\n"


def test_subcommand_help_names_the_config_variable_and_environment_overrides(
    tmp_path: Path,
) -> None:
    for command in ("run", "console", "migrate"):
        shown = qabot(command, "--help", cwd=tmp_path).stdout
        assert "$QABOT_CONFIG" in shown and "QABOT_<SECTION>_<KEY>" in shown, command


BLOCKER = "import sys\nfor name in {names!r}:\n    sys.modules[name] = None\n"


@pytest.mark.parametrize(
    ("blocked", "env", "line"),
    [
        (["slack_bolt"], {"QABOT_SLACK_ENABLED": "true"},
         "Slack is enabled but slack-bolt is not installed; "
         "from the clone run: .venv/bin/pip install '.[slack]'"),
        (["discord"], {"QABOT_DISCORD_ENABLED": "true"},
         "Discord is enabled but discord.py is not installed; "
         "from the clone run: .venv/bin/pip install '.[discord]'"),
        (["asyncpg"], {"QABOT_STORAGE_URL": "postgresql://qa:hunter2@127.0.0.1:1/qa"},
         "[storage] url is PostgreSQL but asyncpg is not installed; "
         "from the clone run: .venv/bin/pip install '.[postgres]'"),
    ],
    ids=["slack", "discord", "postgres"],
)  # fmt: skip
def test_a_missing_extra_is_one_line_naming_the_install_command(
    tmp_path: Path, blocked: list[str], env: dict[str, str], line: str
) -> None:
    # A sitecustomize on PYTHONPATH makes the library impossible to import, as if not installed.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER.format(names=blocked), encoding="utf-8")
    secrets = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DISCORD_TOKEN": "d"}
    result = qabot("run", cwd=tmp_path, env={**secrets, **env, "PYTHONPATH": str(site)})
    assert (result.returncode, result.stderr) == (2, f"qabot: {line}\n")


def test_copy_store_from_an_unknown_scheme_lists_the_three_and_hides_the_password(
    tmp_path: Path,
) -> None:
    result = qabot(
        "copy-store", "--from", "mysql://qa:hunter2@db.example/qa",
        "--to", f"sqlite:///{tmp_path / 'to.db'}", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "qabot: [storage] url 'mysql://db.example/qa' must start with sqlite://, postgresql:// "
        "or postgres://\n"
    )


POSTGRES = os.environ.get("QABOT_TEST_POSTGRES_DSN", "")
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="QABOT_TEST_POSTGRES_DSN is not set")


def _postgres_url(
    *, user: str = "", port: int | None = None, database: str = "", query: str = ""
) -> str:
    """The test server's URL with one part changed, and a password that must never show."""
    parts = urlsplit(POSTGRES)
    host = f"{parts.hostname}:{port or parts.port or 5432}"
    name = database or parts.path.lstrip("/")
    return f"postgresql://{user or parts.username or 'postgres'}:hunter2@{host}/{name}{query}"


@needs_postgres
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"database": "qabot_no_such_database"},
         'database "qabot_no_such_database" does not exist; create it (createdb) or fix its '
         "name in the URL"),
        ({"port": 1}, "nothing accepts connections at 127.0.0.1:1; start PostgreSQL or fix the "
         "host and port"),
        ({"user": "nosuchrole"}, 'role "nosuchrole" does not exist; create the role or fix the '
         "user in the URL"),
        ({"query": "?search_path=nosuchschema"}, "no schema in its search_path (nosuchschema) "
         "exists; create one (CREATE SCHEMA name) or change search_path in the URL"),
    ],
    ids=["no database", "port closed", "unknown role", "missing schema"],
)  # fmt: skip
def test_a_postgresql_store_that_cannot_open_is_one_line_naming_why(
    tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    url = _postgres_url(**change)
    result = qabot("console", cwd=tmp_path, stdin="/top\n", env={"QABOT_STORAGE_URL": url})
    shown = url.replace(url.split("//")[1].split("@")[0] + "@", "")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"qabot: [storage] url {shown} cannot be opened: {reason}\n"


def test_a_sqlite_file_locked_by_another_program_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        result = qabot("console", "--db", str(db), cwd=tmp_path, stdin="/top\n")
    finally:
        holder.close()
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"qabot: [storage] url sqlite:///{db} cannot be opened: another program has held {db} "
        "locked for more than 5 s; close it (a database browser, another qabot) and start again\n"
    )


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    """A store file nobody may write, root included: immutable (chattr +i) where the file
    system allows it; else mode 444, which stops everyone but root."""
    db = tmp_path / "readonly.db"
    qabot("migrate", cwd=tmp_path, env={"QABOT_STORAGE_URL": f"sqlite:///{db}"})
    chattr = shutil.which("chattr")
    immutable = (
        chattr is not None
        and subprocess.run([chattr, "+i", str(db)], check=False, capture_output=True).returncode
        == 0
    )
    if not immutable:
        if os.geteuid() == 0:
            pytest.skip("running as root where chattr +i does not work: nothing is read-only")
        db.chmod(0o444)
    yield db
    if immutable:
        subprocess.run([str(chattr), "-i", str(db)], check=True)


def test_a_read_only_sqlite_file_is_one_line_at_start(tmp_path: Path, read_only_db: Path) -> None:
    result = qabot("console", "--db", str(read_only_db), cwd=tmp_path, stdin="/ask Hi?\n")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"qabot: [storage] url sqlite:///{read_only_db} cannot be opened: {read_only_db} is "
        "read-only; qabot writes every vote there, so make it writable\n"
    )


def test_a_line_that_is_not_utf8_is_answered_as_bad_input(tmp_path: Path) -> None:
    assert QABOT is not None
    result = subprocess.run(
        [QABOT, "console", "--db", str(tmp_path / "bytes.db")],
        input=b"/ask caf\xe9 au lait?\n/ask Still here?\n",
        capture_output=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("QABOT_")},
        timeout=30,
        check=False,
    )
    replies = [line for line in result.stdout.decode().splitlines() if line]
    assert result.returncode == 0
    assert replies[0] == "That line is not valid UTF-8 text; please type it again."
    assert replies[1].startswith("Q1 asked by you in #general: Still here?")
