"""`python -m bench [--quick] [--json]`: build the data set, measure SQLite (and PostgreSQL when
`QABOT_BENCH_POSTGRES_DSN` is set), print a table; with --json the last line is one JSON object,
`{"sqlite": {...}, "postgres": {...}}`, with exactly the metric keys per backend.

The data set is built once per size into a template file under $QABOT_BENCH_DIR (default
/tmp/qabot-bench) and copied for each run, since every run writes to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.dataset import Shape, build_postgres, build_sqlite
from bench.similar_lists import make_similar_lists
from storage.migrations import migrations_for

KEYS = ("ingest_events_per_s", "raw_insert_per_s", "ingest_ratio", "top_p50_ms", "top_p99_ms",
        "ack_p99_ms", "ack_capacity_rps", "ack_bare_capacity_rps", "ack_capacity_ratio",
        "rss_mib", "startup_s",
        "web_question_p99_ms", "web_index_p99_ms", "ingest_crawled_ratio",
        "import_messages_per_s", "import_vote_max_ms",
        "socket_ack_capacity_ratio", "top_overhead_ratio")  # fmt: skip
_DATASET_VERSION = 1


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def _migrated(url: str) -> None:
    from storage import open_store

    store = await open_store(url)
    await store.close()


def sqlite_copy(folder: Path, shape: Shape, scale: float) -> str:
    # Named by the schema too: the build ends with ANALYZE, and an index a later migration adds
    # to a template would have no statistics beside the others' (SQLite then guesses it cheap
    # and can pick it over a far better one), which no real store's history looks like.
    schema = migrations_for("sqlite")[-1].version
    template = folder / f"template-v{_DATASET_VERSION}-s{schema}-{scale:g}.db"
    if not template.exists():
        building = template.with_suffix(".building")
        building.unlink(missing_ok=True)
        asyncio.run(_migrated(f"sqlite:///{building}"))
        _say(f"building the SQLite data set ({shape}) ...")
        _say(f"built in {build_sqlite(str(building), shape):.1f} s")
        _say(f"similar lists made in {make_similar_lists(f'sqlite:///{building}', shape):.1f} s")
        building.rename(template)
    run = folder / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, run)
    return f"sqlite:///{run}"


# One schema per benchmark process, dropped after it: two runs on one server don't collide.
_SCHEMA = f"qabot_bench_{os.getpid()}"


async def _in_database(dsn: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _fresh_schema(dsn: str) -> str:
    await _in_database(dsn, f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE; CREATE SCHEMA {_SCHEMA}")
    separator = "&" if "?" in dsn else "?"
    url = f"{dsn}{separator}search_path={_SCHEMA}"
    await _migrated(url)
    return url


def postgres_copy(dsn: str, shape: Shape) -> str:
    url = asyncio.run(_fresh_schema(dsn))
    _say(f"building the PostgreSQL data set ({shape}) ...")
    _say(f"built in {build_postgres(url, shape):.1f} s")
    _say(f"similar lists made in {make_similar_lists(url, shape):.1f} s")
    return url


def run_backend(name: str, url: str, scale: float) -> dict[str, float]:
    _say(f"--- {name}")
    child = subprocess.run(
        [sys.executable, "-m", "bench.backend", url, str(scale)],
        stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    assert tuple(result) == KEYS, result
    return result


def table(results: dict[str, dict[str, float]]) -> str:
    names = list(results)
    lines = [f"{'metric':<26}" + "".join(f"{name:>14}" for name in names)]
    for key in KEYS:
        lines.append(f"{key:<26}" + "".join(f"{results[n][key]:>14,}" for n in names))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the reference size")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    scale = args.scale or (0.1 if args.quick else 1.0)
    shape = Shape.scaled(scale)
    folder = Path(os.environ.get("QABOT_BENCH_DIR", "/tmp/qabot-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    results = {"sqlite": run_backend("sqlite", sqlite_copy(folder, shape, scale), scale)}
    dsn = os.environ.get("QABOT_BENCH_POSTGRES_DSN")
    if dsn:
        try:
            results["postgres"] = run_backend("postgres", postgres_copy(dsn, shape), scale)
        finally:
            asyncio.run(_in_database(dsn, f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE"))
    print(table(results), flush=True)
    if args.json:
        print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
