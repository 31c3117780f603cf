"""An idle hub's poll: the same bytes as last time give the same snapshot.

``VidiGatesClient.instances(previous)`` returns ``previous`` itself when the
hub sends exactly the answer that made it, without decoding or parsing it
again (see ``scripts/bench``: on a hub of 50 instances that was most of an
idle poll). Anything else is read afresh.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json

from aiohttp import ClientSession, web
import pytest

from custom_components.vidigates.api import VidiGatesClient
from custom_components.vidigates.exceptions import VidiGatesHTTPError
from custom_components.vidigates.models import SetResult

from .conftest import load_fixture

# The clock (the event loop's too) is frozen: no request times out, however
# slow the machine.
pytestmark = pytest.mark.usefixtures("freezer")


class Hub:
    """A loopback server answering GET /api/v1/instances with set bytes."""

    def __init__(self) -> None:
        """Answer the vendor's sample until told otherwise."""
        self.body = json.dumps(load_fixture("vendor_sample.json")).encode()
        self.status = 200
        self.requests = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Count the request and answer it."""
        self.requests += 1
        return web.Response(
            body=self.body, status=self.status, content_type="application/json"
        )


@pytest.fixture
async def hub(socket_enabled: None) -> AsyncIterator[tuple[Hub, VidiGatesClient]]:
    """The hub on a port of its own, and a client of it on a session of its own."""
    fake = Hub()
    app = web.Application()
    app.router.add_get("/api/v1/instances", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    async with ClientSession() as session:
        yield (
            fake,
            VidiGatesClient("127.0.0.1", runner.addresses[0][1], session=session),
        )
    await runner.cleanup()


async def test_same_answer_gives_the_previous_snapshot(
    hub: tuple[Hub, VidiGatesClient],
) -> None:
    """The hub is asked every time; the same bytes give the same object.

    A failed poll in between does not change what the same bytes mean.
    """
    fake, client = hub
    first = await client.instances()
    assert (await client.instances(first)) is first
    fake.status = 500
    with pytest.raises(VidiGatesHTTPError):
        await client.instances(first)
    fake.status = 200
    assert (await client.instances(first)) is first
    assert fake.requests == 4


async def test_other_answers_are_read(hub: tuple[Hub, VidiGatesClient]) -> None:
    """Other bytes are parsed, even when they say the same thing; and the same
    bytes are read again for a snapshot they did not make.

    After a /set the coordinator holds a snapshot with the hub's new values;
    if the hub then still sends the old answer, that answer is what it says.
    """
    fake, client = hub
    sample = load_fixture("vendor_sample.json")
    first = await client.instances()
    sample["current"] = 41
    fake.body = json.dumps(sample).encode()
    second = await client.instances(first)
    assert second.current == 41
    # Same values, other bytes (indentation): a new, equal snapshot.
    fake.body = json.dumps(sample, indent=2).encode()
    third = await client.instances(second)
    assert third == second
    assert third is not second

    after_set = third.replace_settings(SetResult(3, 50, None))
    assert (await client.instances(after_set)).current == 41
