"""Run a simulated VidiAccess hub until Ctrl-C or SIGTERM.

Usage: ``python -m simulator --port 8080 [--host 127.0.0.1] [--instances 2]
[--gates 2] [--seed 0] [--threshold 50] [--payload FILE.json | --vendor-sample]
[--no-real-time]``; ``--help`` lists every option.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
from pathlib import Path
import signal
import sys
from typing import Any, TextIO

from .hub import VENDOR_SAMPLE, Hub
from .server import SimulatorServer


def _reset_time(value: str) -> tuple[int, int] | None:
    if value.lower() == "none":
        return None
    try:
        hour, minute = (int(part) for part in value.split(":"))
    except ValueError:
        msg = f"expected HH:MM or 'none', not {value!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        msg = f"{value!r} is not a time of day"
        raise argparse.ArgumentTypeError(msg)
    return (hour, minute)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve a simulated Quividi VidiAccess hub over HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to bind (0: any free port)"
    )
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--gates", type=int, default=2, help="gates per instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=int, default=50)
    parser.add_argument(
        "--reset-time", type=_reset_time, default=(23, 0), help="HH:MM or none"
    )
    parser.add_argument(
        "--arrival-rate", type=float, default=0.2, help="people per second"
    )
    parser.add_argument(
        "--unstable-seconds",
        type=float,
        default=60.0,
        help="how long instances stay 'unstable' after start",
    )
    fixed = parser.add_mutually_exclusive_group()
    fixed.add_argument(
        "--payload", type=Path, help="answer GET with this JSON file, verbatim"
    )
    fixed.add_argument(
        "--vendor-sample",
        action="store_true",
        help="answer GET with the vendor's sample document",
    )
    parser.add_argument(
        "--no-real-time",
        dest="real_time",
        action="store_false",
        help="freeze simulated time (move it with POST /_sim/advance)",
    )
    parser.add_argument("--quiet", action="store_true", help="no access log")
    return parser


async def _serve(hub: Hub, args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows; Ctrl-C then ends asyncio.run() instead.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with SimulatorServer(
        hub, host=args.host, port=args.port, real_time=args.real_time
    ) as server:
        # Tests and scripts read this line to learn the URL (port 0 included).
        _say(f"VidiAccess simulator listening on {server.url}")
        await stop.wait()
    _say("VidiAccess simulator stopped")


def _say(line: str, stream: TextIO = sys.stdout) -> None:
    # Flushed at once: stdout is a pipe when a test or script starts us.
    stream.write(line + "\n")
    stream.flush()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        hub = Hub(
            instances=args.instances,
            gates_per_instance=args.gates,
            seed=args.seed,
            threshold=args.threshold,
            reset_time=args.reset_time,
            unstable_seconds=args.unstable_seconds,
            arrival_rate=args.arrival_rate,
        )
        if args.payload is not None:
            payload: Any = json.loads(args.payload.read_text(encoding="utf-8"))
            hub.set_fixed_payload(payload)
        elif args.vendor_sample:
            hub.set_fixed_payload(VENDOR_SAMPLE)
    except (OSError, ValueError) as err:
        _say(f"error: {err}", sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(_serve(hub, args))
    except KeyboardInterrupt:  # Ctrl-C where signal handlers are unavailable
        pass
    except OSError as err:  # e.g. the port is taken
        _say(f"error: {err}", sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
