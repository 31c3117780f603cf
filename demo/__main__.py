"""Run the demo until Ctrl-C: ``python -m demo`` (what ``scripts/develop`` runs).

Starts the hub simulator and a real Home Assistant with the integration added,
prints where to log in, and stops both cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import shutil
import signal
import sys
import time
from types import FrameType

from .stack import (
    DASHBOARD_URL_PATH,
    PASSWORD,
    REPO,
    USERNAME,
    DemoError,
    DemoOptions,
    DemoStack,
    relative,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description=(
            "Run the VidiGates demo: a simulated VidiAccess hub and a real Home "
            "Assistant with the integration added, on 127.0.0.1 only."
        ),
    )
    parser.add_argument("--ha-port", type=int, default=8123)
    parser.add_argument(
        "--sim-port", type=int, default=8080, help="the simulator's port (0: any)"
    )
    parser.add_argument(
        "--runtime-dir",
        type=Path,
        default=REPO / ".demo",
        help="where Home Assistant's config and the logs go (default: .demo/)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="delete the runtime folder first: a new user, entry and history",
    )
    parser.add_argument(
        "--no-entry",
        dest="add_entry",
        action="store_false",
        help="do not add the hub: add it yourself in Settings > Devices & services",
    )
    return parser


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM ends the demo the way Ctrl-C does, children included.
    raise KeyboardInterrupt


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    args = _parser().parse_args(argv)
    runtime_dir: Path = args.runtime_dir.resolve()
    if args.fresh and runtime_dir.exists():
        shutil.rmtree(runtime_dir)
    stack = DemoStack(
        DemoOptions(
            runtime_dir=runtime_dir,
            ha_port=args.ha_port,
            sim_port=args.sim_port,
            add_entry=args.add_entry,
        )
    )
    signal.signal(signal.SIGTERM, _interrupt)
    _say("Starting the hub simulator and Home Assistant ...")
    try:
        stack.start()
        logs = f"{relative(stack.hass_log)}, {relative(stack.sim_log)}"
        _say(
            f"\nVidiGates demo running (Home Assistant answered after "
            f"{stack.ha_answered_after:.1f} s, ready after "
            f"{stack.ha_ready_after:.1f} s)\n"
            f"  Open:       {stack.ha_url}  (dashboard: "
            f"{stack.ha_url}/{DASHBOARD_URL_PATH})\n"
            f"  Log in:     user {USERNAME}, password {PASSWORD}\n"
            f"  Simulator:  {stack.sim_url}/api/v1/instances  "
            f"(control API: {stack.sim_url}/_sim/state)\n"
            f"  Logs:       {logs}\n"
            + "".join(f"  Note:       {notice}\n" for notice in stack.notices)
            + "Press Ctrl-C to stop."
        )
        while (exited := stack.exited()) is None:
            time.sleep(1)
    except KeyboardInterrupt:
        # A second Ctrl-C must not cut Home Assistant's shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _say("\nStopping Home Assistant and the simulator ...")
        stack.stop()
        _say("Stopped.")
        return 0
    except DemoError as err:
        exited = str(err)
    stack.stop()
    _say(f"error: {exited}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
