"""An idle hub's poll: the same bytes as last time give the same snapshot.

``VidiGatesClient.instances(previous)`` returns ``previous`` itself when the
hub sends exactly the answer that made it, without decoding or parsing it
again (see ``scripts/bench``: on a hub of 50 instances that was most of an
idle poll). Anything else is read afresh.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from typing import Any

from aiohttp import ClientSession, web
import pytest

from custom_components.vidigates.api import VidiGatesClient
from custom_components.vidigates.exceptions import VidiGatesHTTPError
from custom_components.vidigates.models import SetResult, parse_hub_state

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

    def answer(self, data: Any) -> None:
        """Answer with ``data`` as JSON from now on."""
        self.body = json.dumps(data).encode()

    async def handle(self, request: web.Request) -> web.Response:
        """Count the request and answer it."""
        self.requests += 1
        return web.Response(
            body=self.body, status=self.status, content_type="application/json"
        )


@pytest.fixture
async def hub(socket_enabled: None) -> AsyncIterator[tuple[Hub, int]]:
    """The hub on a port of its own."""
    fake = Hub()
    app = web.Application()
    app.router.add_get("/api/v1/instances", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield fake, runner.addresses[0][1]
    await runner.cleanup()


@pytest.fixture
async def client(hub: tuple[Hub, int]) -> AsyncIterator[VidiGatesClient]:
    """A client of the hub, on a session of its own."""
    async with ClientSession() as session:
        yield VidiGatesClient("127.0.0.1", hub[1], session=session)


async def test_same_answer_gives_the_previous_snapshot(
    hub: tuple[Hub, int], client: VidiGatesClient
) -> None:
    """The hub is asked every time; the same bytes give the same object."""
    fake, _ = hub
    first = await client.instances()
    second = await client.instances(first)
    third = await client.instances(second)

    assert second is first
    assert third is first
    assert fake.requests == 3


async def test_changed_answer_is_read(
    hub: tuple[Hub, int], client: VidiGatesClient
) -> None:
    """Other bytes are parsed, even when they say the same thing."""
    fake, _ = hub
    sample = load_fixture("vendor_sample.json")
    first = await client.instances()

    sample["current"] = 41
    fake.answer(sample)
    second = await client.instances(first)
    assert second.current == 41

    # Same values, other bytes (indentation): a new, equal snapshot.
    fake.body = json.dumps(sample, indent=2).encode()
    third = await client.instances(second)
    assert third == second
    assert third is not second


async def test_same_answer_for_another_snapshot_is_read(
    hub: tuple[Hub, int], client: VidiGatesClient
) -> None:
    """Only the snapshot made of those bytes is returned as it is.

    After a /set the coordinator holds a snapshot with the hub's new values;
    if the hub then still sends the old answer, that answer is what it says.
    """
    first = await client.instances()
    after_set = first.replace_settings(
        SetResult(current=3, threshold=50, reset_time=None)
    )

    second = await client.instances(after_set)
    assert second == parse_hub_state(load_fixture("vendor_sample.json"))
    assert second.current == 40
    assert (await client.instances(None)) is not first


async def test_same_answer_after_a_failure(
    hub: tuple[Hub, int], client: VidiGatesClient
) -> None:
    """A failed poll in between does not change what the same bytes mean."""
    fake, _ = hub
    first = await client.instances()
    fake.status = 500
    with pytest.raises(VidiGatesHTTPError):
        await client.instances(first)
    fake.status = 200
    assert (await client.instances(first)) is first
