"""The pure-Python parts of a busy poll, each alone: where scripts/bench's gap goes.

A measurement, never a test. ``scripts/bench``'s breakdown times each part of a
poll inside Home Assistant, where the parts disturb one another; this runs the
parts that are ours alone, on the same kind of answers (the simulator's hub, 4
gates per instance, 10 % of the values changed per answer), best of several
rounds of CPU time, so that a change to one of them can be judged by itself:

    .venv/bin/python scripts/bench_parts.py [--instances 50] [--answers 200]

docs/benchmark.md quotes its figures.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import timedelta
import itertools
import logging
import time
from typing import Any

# scripts/bench.py puts the repository on sys.path and imports the
# integration first, as the tests do; its Home Assistant is reused below.
from bench import home_assistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
import orjson

from custom_components.vidigates.coordinator import changed_contexts
from custom_components.vidigates.models import HubState, Tally, parse_hub_state
from simulator import Hub

ROUNDS = 7


def best(run: Callable[[], object], per: int) -> float:
    """The least CPU time of ROUNDS runs, in ms per ``per``."""
    times = []
    for _ in range(ROUNDS):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times) * 1000 / per


def busy_answers(instances: int, count: int) -> list[bytes]:
    """What a busy hub answers to ``count`` polls in a row."""
    hub = Hub(instances=instances, gates_per_instance=4, seed=20260, unstable_seconds=0)
    answers = []
    for _ in range(count):
        hub.change_values(0.10)
        answers.append(orjson.dumps(hub.payload()))
    return answers


def parse_all(decoded: list[Any]) -> list[HubState]:
    """Parse answers in turn, each with the previous snapshot and the memo."""
    states: list[HubState] = []
    previous: HubState | None = None
    memo: dict[bytes, Any] = {}
    for answer in decoded:
        previous = parse_hub_state(answer, previous, memo)
        states.append(previous)
    return states


async def coordinator_refresh(polls: int) -> float:
    """A ``DataUpdateCoordinator`` refresh whose update returns the same data."""
    asyncio.get_running_loop().set_debug(False)
    async with home_assistant() as hass:
        same = object()

        async def update() -> object:
            return same

        coordinator = DataUpdateCoordinator(
            hass,
            logging.getLogger(__name__),
            config_entry=None,
            name="bench",
            update_interval=timedelta(seconds=2),
            update_method=update,
            always_update=False,
        )
        coordinator.async_add_listener(lambda: None)
        await coordinator.async_refresh()
        times = []
        for _ in range(ROUNDS):
            start = time.process_time()
            for _ in range(polls):
                await coordinator.async_refresh()
            times.append(time.process_time() - start)
    return min(times) * 1000 / polls


def main() -> None:
    """Print each part's cost per busy poll."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    answers = busy_answers(args.instances, args.answers)
    decoded = [orjson.loads(answer) for answer in answers]
    states = parse_all(decoded)
    pairs = list(itertools.pairwise(states))

    def decode() -> None:
        # Each answer dropped once read, as a poll does: a list of them all
        # would make the garbage collector walk every decoded object again.
        for answer in answers:
            orjson.loads(answer)

    def tally() -> None:
        counted = Tally(0, 0)
        for state in states:
            counted = counted.advance(state)

    def contexts() -> None:
        for old, new in pairs:
            for _ in changed_contexts(old, new):
                pass

    count = len(answers)
    print(
        f"{args.instances} instances of 4 gates, {count} busy answers (10 % of the "
        f"values changed each), best of {ROUNDS} rounds, CPU ms per poll:"
    )
    for label, run, per in (
        ("orjson.loads", decode, count),
        ("parse_hub_state (memo on)", lambda: parse_all(decoded), count),
        ("changed_contexts", contexts, len(pairs)),
        ("Tally.advance", tally, count),
    ):
        print(f"  {label:28s} {best(run, per):8.4f}")
    refresh = asyncio.run(coordinator_refresh(2000))
    label = "DataUpdateCoordinator refresh"
    print(f"  {label:28s} {refresh:8.4f}  (its update returns at once)")


if __name__ == "__main__":
    main()
