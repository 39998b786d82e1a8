"""What PostgreSQL's shared vote limits cost the ingest: `python -m bench.limits_probe URL`.

Replays reaction events through the real store's vote batcher from many concurrent callers, as
the ingest does, in rounds that alternate between votes carrying the default vote limits'
`VoteCheck` (checked and counted in the database) and votes without any (with `--service`:
through QAService, with its default limits or with the vote limits off), so a machine that
speeds up or slows down mid-run moves both alike. Each round has people of its own, each voting
on a few hot answers, with some removals. Prints, per mode, the events a second, the vote batch
statement's time per event (what `observe_batches` reports), and the CPU time per event of this
process and of its database server processes together (found by this process's sockets; a
measure that other work on a busy machine disturbs far less than elapsed time), then the ratios.

`URL` is a migrated store holding the benchmark's data set (`--scale`, 0.1 is `--quick`'s);
with `--build` the data set is first built into the URL's schema (`?search_path=`), which must
be empty.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bench.dataset import WORKSPACE, Shape, build_postgres, hot_answers
from bot.domain import PostId, PostKind, UserRef, WorkspaceRef
from bot.errors import QAError
from bot.ports import Refused, Store, VoteCheck
from bot.service import QAService
from bot.settings import LimitsSettings, Settings
from storage import open_store

__all__ = ["main"]

Event = tuple[str, int, bool]  # voter, answer number, a removal?


def round_events(shape: Shape, tag: str, *, events: int, people: int, seed: int) -> list[Event]:
    """`events` votes by `people` people on hot answers, 8% of them removals of earlier ones."""
    rng = random.Random(seed)
    hot = hot_answers(shape, rng)
    script: list[Event] = []
    for i in range(events):
        if rng.random() < 0.08 and len(script) > 100:
            voter, answer, _ = script[rng.randrange(len(script))]
            script.append((voter, answer, True))
        else:
            script.append((f"{tag}-{i % people}", next(hot), False))
    return script


async def replay(
    store: Store, script: list[Event], *, limited: bool, callers: int, service: bool
) -> float:
    """Send `script` from `callers` concurrent callers: to the store, with the default vote
    limits' check or none, or with `service` through QAService, whose vote limits are the
    defaults (checked in the store) or off."""
    workspace = WorkspaceRef(*WORKSPACE)
    queue = iter(script)
    cooldown = timedelta(seconds=60)
    off = replace(LimitsSettings(), votes_per_minute=0, vote_changes_per_post=0)
    qa = QAService(store=store, settings=Settings() if limited else Settings(limits=off))

    async def through_service() -> None:
        for voter, answer, removal in queue:
            vote = qa.unreact if removal else qa.react
            target = PostId(PostKind.ANSWER, answer)
            with contextlib.suppress(QAError):
                await vote(voter=UserRef(workspace, voter), target=target, emoji="👍")

    async def caller() -> None:
        for voter, answer, removal in queue:
            now = datetime.now(UTC)
            check = VoteCheck(30, 4, cooldown, now) if limited else None
            target = PostId(PostKind.ANSWER, answer)
            with contextlib.suppress(Refused):
                if removal:
                    await store.remove_vote(
                        workspace, target, voter_id=voter, emoji="👍", check=check
                    )
                else:
                    await store.add_vote(
                        workspace, target, voter_id=voter, emoji="👍", weight=1, at=now,
                        check=check,
                    )  # fmt: skip

    started = time.perf_counter()
    await asyncio.gather(*((through_service if service else caller)() for _ in range(callers)))
    return time.perf_counter() - started


def _socket_ports() -> set[int]:
    """The local TCP ports of this process's sockets."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


async def _server_pids(url: str) -> list[int]:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])"
            " AND pid <> pg_backend_pid()",
            sorted(_socket_ports()),
        )
    finally:
        await conn.close()
    return [row["pid"] for row in rows]


def _cpu_s(pids: list[int]) -> float:
    """CPU time of this process and of `pids` (ns in /proc/PID/schedstat)."""
    total = time.process_time()
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/schedstat") as stat:
            total += int(stat.read().split()[0]) / 1e9
    return total


async def probe(url: str, args: argparse.Namespace) -> None:
    shape = Shape.scaled(args.scale)
    store = await open_store(url, pool_size=args.pool)
    batch_s = [0.0]
    store.observe_batches(lambda size, seconds: batch_s.__setitem__(0, batch_s[0] + seconds))
    results: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    stamp = int(time.time())
    try:  # a warm-up, which also opens the pool's connections
        warm_up = round_events(shape, f"p{stamp}w", events=4_000, people=400, seed=99)
        await replay(store, warm_up, limited=False, callers=args.callers, service=args.service)
        for r in range(args.rounds * 2):
            limited = (r % 2 == 0) != args.off_first
            script = round_events(
                shape, f"p{stamp}r{r}", events=args.events, people=args.people, seed=r
            )
            batch_s[0] = 0.0
            pids = await _server_pids(url)  # the pool's connections, opened by the last round
            cpu_s = _cpu_s(pids)
            wall = await replay(
                store, script, limited=limited, callers=args.callers, service=args.service
            )
            cpu_us = (_cpu_s(pids) - cpu_s) / len(script) * 1e6
            per_s, batch_us = len(script) / wall, batch_s[0] / len(script) * 1e6
            results[limited].append((per_s, batch_us, cpu_us))
            mode = "limits" if limited else "none  "
            print(f"round {r} {mode} {per_s:8,.0f} events/s  batch {batch_us:6.1f} µs/event"
                  f"  cpu {cpu_us:6.1f} µs/event", file=sys.stderr, flush=True)  # fmt: skip
    finally:
        await store.close()
    on, off = results[True], results[False]
    for name, rows in (("limits", on), ("none", off)):
        print(f"{name:6} events/s median {statistics.median(r[0] for r in rows):8,.0f}"
              f"  batch µs/event median {statistics.median(r[1] for r in rows):6.1f}"
              f"  cpu µs/event median {statistics.median(r[2] for r in rows):6.1f}")  # fmt: skip
    ingest, batch, cpu = (sum(r[k] for r in on) / sum(r[k] for r in off) for k in range(3))
    print(f"limits/none: ingest {ingest:.3f}, batch time per event {batch:.3f}, cpu per event"
          f" {cpu:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.limits_probe", description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--build", action="store_true", help="build the data set first")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each mode")
    parser.add_argument("--events", type=int, default=20_000, help="votes a round")
    parser.add_argument("--people", type=int, default=2_000, help="voters a round")
    parser.add_argument("--callers", type=int, default=256)
    parser.add_argument("--pool", type=int, default=10)
    parser.add_argument("--service", action="store_true", help="vote through QAService")
    parser.add_argument("--off-first", action="store_true", help="start with a round without")
    args = parser.parse_args()
    if args.build:
        asyncio.run(_migrate(args.url))
        build_postgres(args.url, Shape.scaled(args.scale))
    if args.rounds:
        asyncio.run(probe(args.url, args))


async def _migrate(url: str) -> None:
    store = await open_store(url)
    await store.close()


if __name__ == "__main__":
    main()
