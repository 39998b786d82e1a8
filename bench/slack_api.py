"""`python -m bench.slack_api USERS`: the fake Slack Web API in a process of its own.

In production Slack's servers answer `users.info` and the `response_url` posts; in the ack
benchmark this process does, so their cost is not charged to the bot's event loop. Prints its
base URL on the first line, then serves until its stdin is closed.
"""

from __future__ import annotations

import asyncio
import sys

from tests.slack.fake_slack import FakeSlack


async def main(users: int) -> None:
    fake = await FakeSlack().start()
    for i in range(users):
        fake.add_user(f"UACK{i:05d}", f"voter {i}")
    print(fake.base_url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await fake.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
