"""Start the hub simulator and a real Home Assistant, ready to log in to.

Both run as child processes in their own sessions, so a Ctrl-C in the
terminal reaches only the parent, which then stops them in order (Home
Assistant first, so it never polls a hub that has already gone).

Everything Home Assistant writes stays under ``runtime_dir`` (an ignored
folder of this repository). Provisioning uses Home Assistant's public APIs
only: onboarding and the login flow, the config-flow REST API (so the hub is
added exactly as a user adds it), the automation editor's API and a few
websocket commands. Two store files are written before the first start:
``.storage/http`` (see ``_prepare_config``) and ``.storage/onboarding``, with
every step but "user" done: finishing "core_config" through the API would set
up Home Assistant's suggested integrations (weather, radio, ...), which reach
the internet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import contextlib
import ctypes
from dataclasses import dataclass
import json
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import Any, Final, Self
import urllib.error
import urllib.parse
import urllib.request

import aiohttp
from homeassistant.util.yaml import dump

from .dashboard import (
    build_dashboard,
    devices_from_registry,
    door_sign_automation,
    entities_from_registry,
)

REPO: Final = Path(__file__).resolve().parent.parent
TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "config"
LOOPBACK: Final = "127.0.0.1"
DOMAIN: Final = "vidigates"
DASHBOARD_URL_PATH: Final = "vidigates-demo"
# The Home Assistant user the demo creates (and the README gives).
USERNAME: Final = "demo"
PASSWORD: Final = "demo1234"  # noqa: S105 - the demo's published login

# Home Assistant's exit status when a user asks it to restart.
_RESTART_EXIT_CODE: Final = 100
_STARTUP_TIMEOUT: Final = 240.0
_REQUEST_TIMEOUT: Final = 30.0
# Simulated seconds run before Home Assistant starts, so the demo opens on a
# shop with people in it and instances past their unstable start-up.
_WARM_UP_SECONDS: Final = 900
# Linux ends our children when we die, even killed rather than stopped: the
# next run would otherwise find its ports taken by the last one's.
_PR_SET_PDEATHSIG: Final = 1
_LIBC: Final = ctypes.CDLL(None)


@dataclass(kw_only=True)
class DemoOptions:
    """What to start, and where its files go."""

    # An ignored folder: Home Assistant's config/ and the two logs go here.
    runtime_dir: Path
    ha_port: int = 8123
    # 0: any free port.
    sim_port: int = 8080
    # False leaves the integration for the user (or the browser test) to add.
    add_entry: bool = True
    # False freezes the simulated clock; the browser test moves it itself.
    real_time: bool = True


class DemoError(RuntimeError):
    """The demo could not start; the message says why and where to look."""

    # The HTTP status, when a server refused a request.
    status: int | None = None


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def relative(path: Path) -> str:
    """Return ``path`` relative to the working folder when it is inside it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


class DemoStack:
    """The simulator and Home Assistant, started together and stopped together."""

    def __init__(self, options: DemoOptions) -> None:
        """Plan the stack; nothing starts before :meth:`start`."""
        self.options = options
        self.runtime_dir = options.runtime_dir.resolve()
        self.config_dir = self.runtime_dir / "config"
        self.hass_log = self.runtime_dir / "hass.log"
        self.sim_log = self.runtime_dir / "simulator.log"
        self.ha_url = f"http://{LOOPBACK}:{options.ha_port}"
        self.sim_port = options.sim_port or free_port()
        self.sim_url = f"http://{LOOPBACK}:{self.sim_port}"
        self.access_token = ""
        # Seconds from launching Home Assistant until it serves its frontend,
        # and until it runs with the demo provisioned.
        self.ha_answered_after = self.ha_ready_after = 0.0
        self.notices: list[str] = []
        self._sim: subprocess.Popen[bytes] | None = None
        self._hass: subprocess.Popen[bytes] | None = None
        self._deadline = 0.0

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
        self._deadline = time.monotonic() + _STARTUP_TIMEOUT
        try:
            self._prepare_config()
            frozen = [] if self.options.real_time else ["--no-real-time"]
            args = f"simulator --host={LOOPBACK} --port={self.sim_port} --quiet"
            self._sim = self._spawn([*args.split(), *frozen], self.sim_log)
            self._wait(
                "the simulator to answer",
                lambda: self.request(
                    f"{self.sim_url}/_sim/advance", {"seconds": _WARM_UP_SECONDS}
                ),
                self.sim_log,
            )
            launched = time.monotonic()
            self._start_hass()
            self._wait(
                "Home Assistant to serve its frontend",
                lambda: self.request(f"{self.ha_url}/manifest.json"),
            )
            self.ha_answered_after = time.monotonic() - launched
            self._log_in()
            self._wait(
                "Home Assistant to finish starting",
                lambda: self.request(f"{self.ha_url}/api/config")["state"] == "RUNNING",
            )
            if self.options.add_entry:
                self._add_hub()
            self._configure_frontend()
            self.ha_ready_after = time.monotonic() - launched
        except BaseException:
            self.stop()
            raise

    def exited(self) -> str | None:
        """Say which child has exited on its own, if one has, and why.

        Home Assistant asking to restart (Settings > System > Restart) is
        not an exit: it is started again, as its supervisor would.
        """
        if self._hass is not None and self._hass.poll() == _RESTART_EXIT_CODE:
            self._start_hass(append=True)
        for name, proc, log in (
            ("Home Assistant", self._hass, self.hass_log),
            ("the simulator", self._sim, self.sim_log),
        ):
            if proc is not None and proc.poll() is not None:
                return f"{name} exited with status {proc.returncode}; " + _ends(log)
        return None

    def stop(self) -> None:
        """Stop Home Assistant, then the simulator; idempotent."""
        for proc, grace in ((self._hass, 60.0), (self._sim, 10.0)):
            if proc is None or proc.poll() is not None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._hass = self._sim = None

    def request(self, url: str, body: Any = None, *, form: bool = False) -> Any:
        """GET ``url`` (or POST ``body``, as JSON or a form); return the JSON answer.

        Home Assistant is sent the demo user's token, once there is one.
        """
        data = None
        if body is not None:
            data = (urllib.parse.urlencode(body) if form else json.dumps(body)).encode()
        kind = "application/x-www-form-urlencoded" if form else "application/json"
        headers = {"Content-Type": kind}
        if self.access_token and url.startswith(self.ha_url):
            headers["Authorization"] = f"Bearer {self.access_token}"
        request = urllib.request.Request(url, data, headers)  # noqa: S310 - ours
        try:
            with urllib.request.urlopen(request, timeout=_REQUEST_TIMEOUT) as answer:  # noqa: S310
                return json.loads(answer.read())
        except urllib.error.HTTPError as err:
            what = f"{url} answered {err.code} {err.read().decode().strip()[:200]}"
            if err.code >= 500 and url.startswith(self.ha_url):
                # The reason is in Home Assistant's log, not in its answer.
                what += "; " + _ends(self.hass_log)
            error = DemoError(what)
            error.status = err.code
            raise error from None

    def command(self, message: dict[str, Any]) -> Any:
        """Send Home Assistant one websocket command; return its result."""

        async def send() -> Any:
            async with (
                asyncio.timeout(_REQUEST_TIMEOUT),
                aiohttp.ClientSession() as session,
                session.ws_connect(f"{self.ha_url}/api/websocket") as ws,
            ):
                await ws.receive_json()  # auth_required
                await ws.send_json({"type": "auth", "access_token": self.access_token})
                if (await ws.receive_json())["type"] != "auth_ok":
                    raise DemoError("the websocket refused the demo's token")
                await ws.send_json({"id": 1, **message})
                answer: dict[str, Any] = await ws.receive_json()
            if not answer["success"]:
                raise DemoError(f"websocket {message}: {answer['error']}")
            return answer["result"]

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(send())
        # In a thread of its own when this thread already runs an event loop,
        # as Playwright's synchronous API does in the browser test.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, send()).result()

    def entries(self) -> list[dict[str, Any]]:
        """The integration's config entries, as the REST API lists them."""
        entries: list[dict[str, Any]] = self.request(
            f"{self.ha_url}/api/config/config_entries/entry?domain={DOMAIN}"
        )
        return entries

    def refresh_dashboard(self) -> None:
        """Rebuild the dashboard and the door-sign automation from the registries."""
        entities = entities_from_registry(
            self.command({"type": "config/entity_registry/list"})
        )
        devices = devices_from_registry(
            self.command({"type": "config/device_registry/list"})
        )
        if automation := door_sign_automation(entities, devices):
            # What the automation editor saves through: Home Assistant keeps
            # the user's automations in the file, and reloads.
            url = f"{self.ha_url}/api/config/automation/config/{automation['id']}"
            try:
                self.request(url, automation)
            except DemoError as err:
                self.notices.append(f"the door-sign automation was not saved: {err}")
        text = "# Written by demo/dashboard.py on every start; edits are lost.\n"
        text += dump(build_dashboard(entities, devices))
        path = self.config_dir / "dashboards" / "vidigates.yaml"
        # Home Assistant rereads a YAML dashboard whose file is newer than its
        # cache; rewriting the same text would only make open pages reload.
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")

    def _prepare_config(self) -> None:
        config = self.config_dir
        (config / "dashboards").mkdir(parents=True, exist_ok=True)
        for name, port in (
            ("Home Assistant", self.options.ha_port),
            ("the simulator", self.sim_port),
        ):
            with socket.socket() as sock:
                # A port only in TIME_WAIT after a previous run is free to listen on.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((LOOPBACK, port))
                except OSError:
                    raise DemoError(
                        f"port {port} on {LOOPBACK} is taken, so {name} cannot "
                        "listen there: stop what uses it, or pick another port "
                        "(--ha-port/--sim-port)"
                    ) from None
        # Copied on every start so changes to the templates reach the demo.
        shutil.copyfile(
            TEMPLATE_DIR / "configuration.yaml", config / "configuration.yaml"
        )
        # Automations, scripts and scenes made in the UI go to these files.
        for name, empty in (
            ("automations.yaml", "[]\n"),
            ("scripts.yaml", ""),
            ("scenes.yaml", ""),
        ):
            if not (config / name).exists():
                (config / name).write_text(empty, encoding="utf-8")
        # The blueprints as a user installs them, refreshed on every start.
        shutil.copytree(
            REPO / "blueprints" / "automation" / DOMAIN,
            config / "blueprints" / "automation" / DOMAIN,
            dirs_exist_ok=True,
        )
        # A link, not a copy: a restart picks up edits to the integration.
        link = config / "custom_components" / DOMAIN
        link.parent.mkdir(exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(REPO / "custom_components" / DOMAIN)
        # Home Assistant keeps its HTTP settings only in this store (see
        # configuration.yaml), whose format changes between releases (2026.11
        # made it version 3). It is written in the first format, two settings
        # and nothing else, which every release migrates on loading.
        self._write_store(
            "http", 1, {"server_host": [LOOPBACK], "server_port": self.options.ha_port}
        )
        if not (config / ".storage" / "onboarding").exists():
            self._write_store(
                "onboarding", 4, {"done": ["core_config", "analytics", "integration"]}
            )

    def _write_store(self, key: str, version: int, data: dict[str, Any]) -> None:
        path = self.config_dir / ".storage" / key
        path.parent.mkdir(exist_ok=True)
        store = {"version": version, "minor_version": 1, "key": key, "data": data}
        path.write_text(json.dumps(store, indent=2), encoding="utf-8")
        path.chmod(0o600)

    def _spawn(
        self, args: list[str], log: Path, *, append: bool = False
    ) -> subprocess.Popen[bytes]:
        with log.open("ab" if append else "wb") as out:
            return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                [sys.executable, "-m", *args],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=lambda: _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM),  # noqa: PLW1509
            )

    def _start_hass(self, *, append: bool = False) -> None:
        self._hass = self._spawn(
            # Home Assistant's own entry point, with the demo's stand-ins (see
            # there). Requirements are installed by requirements_demo.txt; at
            # run time Home Assistant would try to build voice's native one
            # and reach for the network.
            ["demo.hass", "--config", str(self.config_dir), "--skip-pip"],
            self.hass_log,
            append=append,
        )

    def _wait(
        self, what: str, ready: Callable[[], object], log: Path | None = None
    ) -> None:
        # Polled: neither server announces that it is ready.
        while True:
            with contextlib.suppress(OSError, DemoError):  # not answering yet
                if ready():
                    return
            if exited := self.exited():
                raise DemoError(exited)
            if time.monotonic() > self._deadline:
                raise DemoError(
                    f"gave up waiting for {what}; " + _ends(log or self.hass_log)
                )
            time.sleep(0.25)

    def _log_in(self) -> None:
        """Create the owner account unless onboarding is over, then log in."""
        client_id = f"{self.ha_url}/"
        login = {"client_id": client_id, "username": USERNAME, "password": PASSWORD}
        try:
            self.request(
                f"{self.ha_url}/api/onboarding/users",
                login | {"name": "Demo", "language": "en"},
            )
        except DemoError as err:
            # 403: the owner exists; 404: onboarding is over, its views gone.
            if err.status not in (403, 404):
                raise
        flow = self.request(
            f"{self.ha_url}/auth/login_flow",
            {
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{client_id}?auth_callback=1",
            },
        )
        result = self.request(f"{self.ha_url}/auth/login_flow/{flow['flow_id']}", login)
        if result["type"] != "create_entry":
            raise DemoError(
                f"Home Assistant refused the login {USERNAME!r}: {result}. "
                f"Delete {relative(self.runtime_dir)} to start afresh."
            )
        self.access_token = self.request(
            f"{self.ha_url}/auth/token",
            {
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": client_id,
            },
            form=True,
        )["access_token"]

    def _add_hub(self) -> None:
        """Add the hub through the config flow, as a user would.

        Entries are set up before Home Assistant runs: one from an earlier run
        that did not load (the simulator now listens on another port) goes
        through the reconfigure flow instead.
        """
        entries = self.entries()
        if entries and entries[0]["state"] == "loaded":
            return
        flows = f"{self.ha_url}/api/config/config_entries/flow"
        form = self.request(
            flows,
            {"handler": DOMAIN}
            | ({"entry_id": entries[0]["entry_id"]} if entries else {}),
        )
        result = self.request(
            f"{flows}/{form['flow_id']}", {"host": LOOPBACK, "port": self.sim_port}
        )
        # A new entry is set up before the flow answers; a reconfigured one
        # reloads after it.
        if (
            result.get("reason") != "reconfigure_successful"
            and result.get("result", {}).get("state") != "loaded"
        ):
            raise DemoError(
                f"Home Assistant did not add the hub: {result}; " + _ends(self.hass_log)
            )

    def _configure_frontend(self) -> None:
        """Write the dashboard, open on it, and pass on set-up failures."""
        self.refresh_dashboard()
        core = self.command({"type": "frontend/get_system_data", "key": "core"})
        value = dict((core or {}).get("value") or {})
        if value.get("default_panel") != DASHBOARD_URL_PATH:
            value["default_panel"] = DASHBOARD_URL_PATH
            self.command(
                {"type": "frontend/set_system_data", "key": "core", "value": value}
            )
        for notice in self.command({"type": "persistent_notification/get"}):
            if notice["notification_id"] == "invalid_config":
                failed = re.findall(r"^ - \[?(\w+)", notice["message"], re.M)
                self.notices.append(
                    "Home Assistant could not set up " + ", ".join(failed)
                )


def _ends(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    return f"the end of {relative(log)}:\n" + "\n".join(lines[-25:])
