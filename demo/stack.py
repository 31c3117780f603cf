"""Start the hub simulator and a real Home Assistant, ready to log in to.

Both run as child processes in their own sessions, so a Ctrl-C in the
terminal reaches only the parent, which then stops them in order (Home
Assistant first, so it never polls a hub that has already gone).

Everything Home Assistant writes stays under ``runtime_dir`` (an ignored
folder of this repository). Provisioning uses Home Assistant's public APIs
only: the onboarding and login-flow endpoints, the config-flow REST API (so the
integration is added exactly as a user adds it) and two websocket commands.
The one file written before the first start is ``.storage/onboarding``, with
every step but "user" done: finishing "core_config" through the API would set
up Home Assistant's suggested integrations (weather, radio, ...), which reach
the internet.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import dataclass
import itertools
import json
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import IO, Any, Final, Self

import aiohttp

from .dashboard import (
    build_dashboard,
    devices_from_registry,
    door_sign_automation,
    dump_yaml,
    entities_from_registry,
    load_yaml_list,
)

REPO: Final = Path(__file__).resolve().parent.parent
TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "config"
LOOPBACK: Final = "127.0.0.1"
DOMAIN: Final = "vidigates"
DASHBOARD_URL_PATH: Final = "vidigates-demo"

# Config entry states that only a change (of address, of code) gets out of.
_FAILED_STATES: Final = frozenset(
    {"setup_error", "setup_retry", "migration_error", "failed_unload"}
)
# Home Assistant's exit status when a user asks it to restart.
_RESTART_EXIT_CODE: Final = 100
_SIM_LISTENING: Final = re.compile(r"listening on (http://\S+)")
_REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=30)
_POLL: Final = 0.25


@dataclass(frozen=True, kw_only=True)
class Login:
    """The Home Assistant user the demo creates (and the README gives)."""

    name: str = "Demo"
    username: str = "demo"
    password: str = "demo1234"  # noqa: S105 - the demo's published login


DEMO_LOGIN: Final = Login()


class DemoError(RuntimeError):
    """The demo could not start; the message says why and where to look."""


@dataclass(kw_only=True)
class DemoOptions:
    """What to start, and where its files go."""

    # An ignored folder: Home Assistant's config/ and the two logs go here.
    runtime_dir: Path
    ha_port: int = 8123
    # 0 lets the simulator pick a free port.
    sim_port: int = 8080
    # False leaves the integration for the user (or the browser test) to add.
    add_entry: bool = True
    # False freezes the simulated clock; the browser test moves it itself.
    real_time: bool = True
    # Simulated seconds run before Home Assistant starts, so the demo opens on
    # a shop with people in it and instances past their unstable start-up.
    warm_up_seconds: float = 900.0
    simulator_args: tuple[str, ...] = ()
    login: Login = DEMO_LOGIN
    startup_timeout: float = 240.0


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # A port only in TIME_WAIT after a previous run is free to listen on.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def _run_sync[T](make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from synchronous code.

    In a thread of its own when this thread already runs an event loop, as
    Playwright's synchronous API does in the browser test.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def relative(path: Path) -> str:
    """Return ``path`` relative to the working folder when it is inside it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


class DemoStack:
    """The simulator and Home Assistant, started together and stopped together.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, options: DemoOptions) -> None:
        """Plan the stack; nothing starts before :meth:`start`."""
        self.options = options
        self.runtime_dir = options.runtime_dir.resolve()
        self.config_dir = self.runtime_dir / "config"
        self.hass_log = self.runtime_dir / "hass.log"
        self.sim_log = self.runtime_dir / "simulator.log"
        self.ha_url = f"http://{LOOPBACK}:{options.ha_port}"
        self.sim_url = ""
        self.access_token = ""
        # Seconds from launching Home Assistant until it serves its frontend,
        # and until it runs with the demo provisioned.
        self.ha_answered_after = 0.0
        self.ha_ready_after = 0.0
        self.notices: list[str] = []
        self._sim: subprocess.Popen[bytes] | None = None
        self._hass: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []
        self._cmdlines: dict[int, list[str]] = {}
        self._launched = 0.0
        self._pidfile = self.runtime_dir / "pids.json"

    @property
    def sim_port(self) -> int:
        """The simulator's port (known once it listens)."""
        return int(self.sim_url.rsplit(":", 1)[1])

    def __enter__(self) -> Self:
        """Start everything."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop everything."""
        self.stop()

    def start(self) -> None:
        """Start the simulator, then Home Assistant, and provision it."""
        try:
            self.runtime_dir.mkdir(parents=True, exist_ok=True)
            self._stop_leftovers()
            self._check_ports()
            self._prepare_config()
            self._start_simulator()
            self._start_hass()
            _run_sync(self._provision)
        except BaseException:
            self.stop()
            raise

    def exited(self) -> str | None:
        """Name the child that has exited on its own, if one has.

        Home Assistant asking to restart (Settings > System > Restart) is
        not an exit: it is started again, as its supervisor would.
        """
        if self._hass is not None and self._hass.poll() == _RESTART_EXIT_CODE:
            self._start_hass(append=True)
        for name, proc in (("Home Assistant", self._hass), ("simulator", self._sim)):
            if proc is not None and proc.poll() is not None:
                return f"{name} exited with status {proc.returncode}"
        return None

    def stop(self) -> None:
        """Stop Home Assistant, then the simulator; idempotent."""
        for proc, grace in ((self._hass, 60.0), (self._sim, 10.0)):
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._hass = self._sim = None
        for log in self._logs:
            log.close()
        self._logs.clear()
        self._pidfile.unlink(missing_ok=True)

    # -- start-up ---------------------------------------------------------

    def _stop_leftovers(self) -> None:
        """End the children of a previous run that was killed, not stopped.

        Only a process whose command line is exactly the one recorded is ours:
        a pid reused by something else is left alone.
        """
        try:
            recorded = json.loads(self._pidfile.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        for item in recorded:
            pid, cmdline = int(item["pid"]), list(item["cmdline"])
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if raw.decode(errors="replace").split("\0")[:-1] != cmdline:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
                for _ in range(240):
                    os.kill(pid, 0)
                    time.sleep(_POLL)
                os.kill(pid, signal.SIGKILL)
        self._pidfile.unlink(missing_ok=True)

    def _record_pids(self) -> None:
        recorded = [
            {"pid": proc.pid, "cmdline": self._cmdlines[proc.pid]}
            for proc in (self._sim, self._hass)
            if proc is not None
        ]
        self._pidfile.write_text(json.dumps(recorded), encoding="utf-8")

    def _check_ports(self) -> None:
        ports = [("Home Assistant", self.options.ha_port)]
        if self.options.sim_port:
            ports.append(("the simulator", self.options.sim_port))
        for name, port in ports:
            if not _port_is_free(port):
                raise DemoError(
                    f"port {port} on {LOOPBACK} is taken, so {name} cannot listen "
                    "there: stop what uses it, or pick another port "
                    "(--ha-port/--sim-port)"
                )

    def _prepare_config(self) -> None:
        config = self.config_dir
        (config / "dashboards").mkdir(parents=True, exist_ok=True)
        # Copied on every start so changes to the templates reach the demo.
        shutil.copyfile(
            TEMPLATE_DIR / "configuration.yaml", config / "configuration.yaml"
        )
        # Automations, scripts and scenes made in the UI go to these files.
        for name in ("automations.yaml", "scripts.yaml", "scenes.yaml"):
            if not (config / name).exists():
                (config / name).write_text(
                    "[]\n" if name == "automations.yaml" else "", encoding="utf-8"
                )
        # The blueprints as a user installs them, refreshed on every start.
        shutil.copytree(
            REPO / "blueprints" / "automation" / DOMAIN,
            config / "blueprints" / "automation" / DOMAIN,
            dirs_exist_ok=True,
        )
        dashboard = config / "dashboards" / "vidigates.yaml"
        if not dashboard.exists():
            # Home Assistant wants the file; it is rebuilt once the hub is in.
            dashboard.write_text(dump_yaml(build_dashboard([], [])), encoding="utf-8")
        # A link, not a copy: a restart picks up edits to the integration.
        link = config / "custom_components" / DOMAIN
        link.parent.mkdir(exist_ok=True)
        target = REPO / "custom_components" / DOMAIN
        if link.is_symlink() and link.readlink() != target:
            link.unlink()
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link)
            link.symlink_to(target, target_is_directory=True)
        self._write_http_settings()
        onboarding = config / ".storage" / "onboarding"
        if not onboarding.exists():
            onboarding.parent.mkdir(exist_ok=True)
            onboarding.write_text(
                json.dumps(
                    {
                        "version": 4,
                        "minor_version": 1,
                        "key": "onboarding",
                        "data": {"done": ["core_config", "analytics", "integration"]},
                    }
                ),
                encoding="utf-8",
            )
            onboarding.chmod(0o600)

    def _write_http_settings(self) -> None:
        """Pin Home Assistant's HTTP server to the loopback address and our port.

        Home Assistant keeps these settings only in its store (see
        configuration.yaml), whose format changes between releases (2026.11
        made it version 3). The file is written in the first format, two
        settings and nothing else, which every release migrates on loading:
        no version number or schema of one release is copied here.
        """
        path = self.config_dir / ".storage" / "http"
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "version": 1,
                    "minor_version": 1,
                    "key": "http",
                    "data": {
                        "server_host": [LOOPBACK],
                        "server_port": self.options.ha_port,
                    },
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        path.chmod(0o600)

    def _open_log(self, path: Path, *, append: bool = False) -> IO[bytes]:
        log = path.open("ab" if append else "wb")
        self._logs.append(log)
        return log

    def _start_simulator(self) -> None:
        args = [
            sys.executable,
            "-m",
            "simulator",
            "--host",
            LOOPBACK,
            "--port",
            str(self.options.sim_port),
            "--quiet",
            *([] if self.options.real_time else ["--no-real-time"]),
            *self.options.simulator_args,
        ]
        self._sim = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            args,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=self._open_log(self.sim_log),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._cmdlines[self._sim.pid] = args
        self._record_pids()
        deadline = time.monotonic() + 30
        while not (match := _SIM_LISTENING.search(_tail(self.sim_log, 5))):
            if self._sim.poll() is not None or time.monotonic() > deadline:
                raise DemoError(
                    f"the simulator did not start; {relative(self.sim_log)} says:\n"
                    + _tail(self.sim_log)
                )
            time.sleep(_POLL)
        self.sim_url = match.group(1)

    def _start_hass(self, *, append: bool = False) -> None:
        args = [
            sys.executable,
            "-m",
            # Home Assistant's own entry point, with one stand-in (see there).
            "demo.hass",
            "--config",
            str(self.config_dir),
            # Requirements are installed by requirements_demo.txt; at run time
            # Home Assistant would try to build voice's native one (see
            # configuration.yaml) and reach for the network.
            "--skip-pip",
        ]
        self._launched = time.monotonic()
        self._hass = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            args,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=self._open_log(self.hass_log, append=append),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._cmdlines[self._hass.pid] = args
        self._record_pids()

    # -- provisioning -----------------------------------------------------

    def _hass_failed(self, what: str) -> DemoError:
        return DemoError(
            f"Home Assistant {what}; the end of {relative(self.hass_log)}:\n"
            + _tail(self.hass_log)
        )

    async def _provision(self) -> None:
        deadline = time.monotonic() + self.options.startup_timeout
        async with aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as session:
            await self._post(
                session,
                f"{self.sim_url}/_sim/advance",
                {"seconds": self.options.warm_up_seconds},
            )
            await self._wait_until_answering(session, deadline)
            self.ha_answered_after = time.monotonic() - self._launched
            await self._create_user(session)
            self.access_token = await self.login(session)
            await self._wait_until_running(session, deadline)
            if self.options.add_entry:
                await self._ensure_entry(session, deadline)
            await self._configure_frontend(session)
        self.ha_ready_after = time.monotonic() - self._launched

    async def _get(
        self, session: aiohttp.ClientSession, url: str, *, auth: bool = False
    ) -> Any:
        headers = self._auth_headers() if auth else {}
        async with session.get(url, headers=headers) as resp:
            if resp.status >= 400:
                raise self._refused("GET", url, resp.status, await resp.text())
            return await resp.json()

    async def _post(
        self,
        session: aiohttp.ClientSession,
        url: str,
        body: dict[str, Any],
        *,
        auth: bool = False,
    ) -> Any:
        headers = self._auth_headers() if auth else {}
        async with session.post(url, json=body, headers=headers) as resp:
            if resp.status >= 400:
                raise self._refused("POST", url, resp.status, await resp.text())
            return await resp.json()

    def _refused(self, method: str, url: str, status: int, text: str) -> DemoError:
        what = f"answered {method} {url} with {status} {text.strip()[:200]}"
        if url.startswith(self.ha_url) and status >= 500:
            # The reason is in Home Assistant's log, not in its answer.
            return self._hass_failed(what)
        return DemoError(what)

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    async def _wait_until_answering(
        self, session: aiohttp.ClientSession, deadline: float
    ) -> None:
        """Wait until Home Assistant serves its frontend (what a browser needs)."""
        assert self._hass is not None  # noqa: S101 - started just before
        while True:
            if self._hass.poll() is not None:
                raise self._hass_failed(f"exited with status {self._hass.returncode}")
            if time.monotonic() > deadline:
                raise self._hass_failed("did not answer in time")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(f"{self.ha_url}/manifest.json") as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(_POLL)

    async def _create_user(self, session: aiohttp.ClientSession) -> None:
        """Create the demo's owner account, unless onboarding is over."""
        async with session.get(f"{self.ha_url}/api/onboarding") as resp:
            if resp.status == 404:  # onboarding is over: its views are gone
                return
            steps = await resp.json()
        if any(step["step"] == "user" and step["done"] for step in steps):
            return
        login = self.options.login
        await self._post(
            session,
            f"{self.ha_url}/api/onboarding/users",
            {
                "client_id": f"{self.ha_url}/",
                "name": login.name,
                "username": login.username,
                "password": login.password,
                "language": "en",
            },
        )

    async def login(self, session: aiohttp.ClientSession) -> str:
        """Log in as the demo user through the login flow; return a token."""
        client_id = f"{self.ha_url}/"
        flow = await self._post(
            session,
            f"{self.ha_url}/auth/login_flow",
            {
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{client_id}?auth_callback=1",
            },
        )
        login = self.options.login
        result = await self._post(
            session,
            f"{self.ha_url}/auth/login_flow/{flow['flow_id']}",
            {
                "client_id": client_id,
                "username": login.username,
                "password": login.password,
            },
        )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"Home Assistant refused the login {login.username!r}: {result}. "
                f"Delete {relative(self.runtime_dir)} to start afresh."
            )
        async with session.post(
            f"{self.ha_url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": client_id,
            },
        ) as resp:
            if resp.status != 200:
                raise DemoError(f"token exchange failed: {await resp.text()}")
            token: str = (await resp.json())["access_token"]
        return token

    async def _wait_until_running(
        self, session: aiohttp.ClientSession, deadline: float
    ) -> None:
        while True:
            config = await self._get(session, f"{self.ha_url}/api/config", auth=True)
            if config.get("state") == "RUNNING":
                return
            if time.monotonic() > deadline:
                raise self._hass_failed(f"is still {config.get('state')}")
            await asyncio.sleep(_POLL)

    async def entries(self, session: aiohttp.ClientSession) -> list[dict[str, Any]]:
        """The integration's config entries, as the REST API lists them."""
        entries: list[dict[str, Any]] = await self._get(
            session,
            f"{self.ha_url}/api/config/config_entries/entry?domain={DOMAIN}",
            auth=True,
        )
        return entries

    async def _ensure_entry(
        self, session: aiohttp.ClientSession, deadline: float
    ) -> None:
        """Add the hub through the config flow, as a user would.

        An entry from an earlier run that does not load (the simulator now
        listens on another port) goes through the reconfigure flow instead.
        """
        entries = await self.entries(session)
        if entries and await self._wait_loaded(
            session, time.monotonic() + 30, give_up_on_failure=True
        ):
            return
        body: dict[str, Any] = {"handler": DOMAIN}
        if entries:
            body["entry_id"] = entries[0]["entry_id"]
        flow_url = f"{self.ha_url}/api/config/config_entries/flow"
        form = await self._post(session, flow_url, body, auth=True)
        result = await self._post(
            session,
            f"{flow_url}/{form['flow_id']}",
            {"host": LOOPBACK, "port": self.sim_port},
            auth=True,
        )
        if result.get("type") not in ("create_entry", "abort") or (
            result.get("type") == "abort"
            and result.get("reason") != "reconfigure_successful"
        ):
            raise self._hass_failed(f"did not add the hub: {result}")
        if not await self._wait_loaded(session, deadline):
            raise self._hass_failed("added the hub, but the entry did not load")

    async def _wait_loaded(
        self,
        session: aiohttp.ClientSession,
        deadline: float,
        *,
        give_up_on_failure: bool = False,
    ) -> bool:
        """Wait for the entry to load; tell whether it did.

        With ``give_up_on_failure``, a setup that failed (say, the hub moved to
        another port) ends the wait at once instead of at the deadline.
        """
        while time.monotonic() < deadline:
            entries = await self.entries(session)
            state = entries[0]["state"] if entries else None
            if state == "loaded":
                return True
            if give_up_on_failure and state in _FAILED_STATES:
                return False
            await asyncio.sleep(_POLL)
        return False

    @contextlib.asynccontextmanager
    async def websocket(
        self, session: aiohttp.ClientSession
    ) -> AsyncIterator[Callable[[dict[str, Any]], Awaitable[Any]]]:
        """Yield a function that sends one command and returns its result."""
        async with session.ws_connect(f"{self.ha_url}/api/websocket") as ws:
            ids = itertools.count(1)

            async def command(message: dict[str, Any]) -> Any:
                msg_id = next(ids)
                await ws.send_json({"id": msg_id, **message})
                while True:
                    answer = await ws.receive_json()
                    if answer.get("id") == msg_id:
                        if not answer.get("success"):
                            raise DemoError(f"websocket {message}: {answer}")
                        return answer.get("result")

            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.access_token})
            if (await ws.receive_json()).get("type") != "auth_ok":
                raise DemoError("the websocket refused the demo's token")
            yield command

    async def _configure_frontend(self, session: aiohttp.ClientSession) -> None:
        """Write the dashboard, open on it, and pass on setup failures."""
        async with self.websocket(session) as command:
            await self._write_dashboard(command)
            core = await command({"type": "frontend/get_system_data", "key": "core"})
            value = dict((core or {}).get("value") or {})
            if value.get("default_panel") != DASHBOARD_URL_PATH:
                value["default_panel"] = DASHBOARD_URL_PATH
                await command(
                    {"type": "frontend/set_system_data", "key": "core", "value": value}
                )
            for notice in await command({"type": "persistent_notification/get"}):
                if notice["notification_id"] == "invalid_config":
                    failed = re.findall(r"^ - \[?(\w+)", notice["message"], re.M)
                    self.notices.append(
                        "Home Assistant could not set up " + ", ".join(failed)
                    )

    async def _write_dashboard(
        self, command: Callable[[dict[str, Any]], Awaitable[Any]]
    ) -> None:
        entities = entities_from_registry(
            await command({"type": "config/entity_registry/list"})
        )
        devices = devices_from_registry(
            await command({"type": "config/device_registry/list"})
        )
        await self._write_door_sign_automation(
            command, door_sign_automation(entities, devices)
        )
        text = "# Written by demo/dashboard.py on every start; edits are lost.\n"
        text += dump_yaml(build_dashboard(entities, devices))
        path = self.config_dir / "dashboards" / "vidigates.yaml"
        # Home Assistant rereads a YAML dashboard whose file is newer than its
        # cache; rewriting the same text would only make open pages reload.
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")

    async def _write_door_sign_automation(
        self,
        command: Callable[[dict[str, Any]], Awaitable[Any]],
        automation: dict[str, Any] | None,
    ) -> None:
        """Put the ready door-sign automation among the user's, and load it.

        Automations made in the UI share the file: they are kept. A file that
        cannot be read as a list of automations is left as it is.
        """
        if automation is None:
            return
        path = self.config_dir / "automations.yaml"
        try:
            automations = load_yaml_list(path.read_text(encoding="utf-8"))
        except OSError:
            automations = []
        if automations is None:
            # Not a list of automations: leave the user's file alone.
            self.notices.append(f"{relative(path)} is not a list of automations")
            return
        if automation in automations:
            return
        ours = [
            index
            for index, item in enumerate(automations)
            if isinstance(item, dict) and item.get("id") == automation["id"]
        ]
        if ours:
            automations[ours[0]] = automation
        else:
            automations.append(automation)
        path.write_text(dump_yaml(automations), encoding="utf-8")
        await command(
            {"type": "call_service", "domain": "automation", "service": "reload"}
        )

    def command(self, message: dict[str, Any]) -> Any:
        """Send Home Assistant one websocket command; return its result."""

        async def run() -> Any:
            async with (
                aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as session,
                self.websocket(session) as command,
            ):
                return await command(message)

        return _run_sync(run)

    def refresh_dashboard(self) -> None:
        """Rebuild the dashboard (and the door-sign automation) from the registry."""

        async def refresh() -> None:
            async with (
                aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as session,
                self.websocket(session) as command,
            ):
                await self._write_dashboard(command)

        _run_sync(refresh)
