"""`qabot copy-store --from URL --to URL [--force]`: progress on stderr, a refusal that says how."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main
from storage import open_store
from tests.storage.builders import SLACK, answer, ask, q
from tests.storage.conftest import FreshUrl


async def _seeded(url: str, text: str) -> str:
    store = await open_store(url)
    await ask(store, text)
    await answer(store, 1)
    await store.close()
    return url


async def _qabot(*argv: str) -> int:
    # main() runs its own event loop, so it runs in a thread like the installed command would.
    return await asyncio.to_thread(main, list(argv))


async def test_copy_store_copies_and_shows_progress(
    fresh_url: FreshUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    source = await _seeded(await fresh_url("sqlite"), "moving house")
    target = await fresh_url("postgres")
    assert await _qabot("copy-store", "--from", source, "--to", target) == 0
    out, err = capsys.readouterr()
    assert "posts: 2/2" in err and "copied" in out
    store = await open_store(target)
    try:
        found = await store.get_post(SLACK, q(1))
        assert found is not None and found.text == "moving house"
    finally:
        await store.close()


async def test_copy_store_refuses_a_non_empty_target_unless_forced(
    fresh_url: FreshUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    source = await _seeded(await fresh_url("sqlite"), "new")
    target = await _seeded(await fresh_url("sqlite"), "old")
    assert await _qabot("copy-store", "--from", source, "--to", target) == 1
    assert "--force" in capsys.readouterr().err
    assert await _qabot("copy-store", "--from", source, "--to", target, "--force") == 0
    store = await open_store(target)
    try:
        found = await store.get_post(SLACK, q(1))
        assert found is not None and found.text == "new"
    finally:
        await store.close()
