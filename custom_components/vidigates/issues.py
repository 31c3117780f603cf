"""Repair issues for what only the user can fix on a hub's instances.

An instance that is restricted or disabled needs Quividi's support; one
without gates needs a gate drawn in its Control Center; one whose camera has
stopped capturing needs someone to look at the camera. Each raises one issue,
which goes away by itself when the instance recovers or leaves the hub, and
with the config entry.

(Not ``repairs.py``: Home Assistant loads that module as a repairs platform,
which must offer fix flows; these issues are fixed outside Home Assistant.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import VidiGatesConfigEntry, Wake
from .markdown import markdown_literal
from .models import Instance, InstanceKey, InstanceStatus

NOT_CAPTURING_GRACE: Final = timedelta(minutes=5)
"""How long a camera may stop capturing before the user is told.

A camera being re-aimed, or a box restarting, stops capturing for a moment;
only a lasting outage is worth a repair issue.
"""


@dataclass(frozen=True, slots=True)
class _IssueKind:
    translation_key: str
    severity: ir.IssueSeverity


ISSUES: Final[dict[InstanceStatus, _IssueKind]] = {
    # The instance counts nothing until Quividi's support lifts this.
    InstanceStatus.RESTRICTED: _IssueKind(
        "instance_restricted", ir.IssueSeverity.ERROR
    ),
    InstanceStatus.DISABLED: _IssueKind("instance_disabled", ir.IssueSeverity.ERROR),
    # A set-up step not done yet rather than a failure.
    InstanceStatus.NO_GATES: _IssueKind("instance_no_gates", ir.IssueSeverity.WARNING),
    # Entries and exits are being missed: the occupancy is drifting.
    InstanceStatus.NOT_CAPTURING: _IssueKind(
        "instance_not_capturing", ir.IssueSeverity.ERROR
    ),
}


def issue_id(entry_id: str, key: InstanceKey, kind: _IssueKind) -> str:
    """Return the id of one instance's issue (unique across hubs)."""
    return f"{entry_id}_{key[0]}_{key[1]}_{kind.translation_key}"


@callback
def async_setup_issues(hass: HomeAssistant, entry: VidiGatesConfigEntry) -> None:
    """Keep the entry's repair issues in line with its instances until unload."""
    entry.async_on_unload(_InstanceIssues(hass, entry).async_start())


class _InstanceIssues:
    """Raises and clears the repair issues of one hub's instances.

    One coordinator listener per instance, on the instance's own context, so
    a poll that changes no instance's status or name costs nothing here.
    """

    def __init__(self, hass: HomeAssistant, entry: VidiGatesConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        self._coordinator = entry.runtime_data
        self._unlisten: dict[InstanceKey, CALLBACK_TYPE] = {}
        # What each instance's issue says now: (issue id, name), or absent.
        self._raised: dict[InstanceKey, tuple[str, str]] = {}
        self._not_capturing_since: dict[InstanceKey, datetime] = {}
        self._timers: dict[InstanceKey, CALLBACK_TYPE] = {}

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Check every instance now and whenever it changes; return the stop."""
        unlisten_structure = self._coordinator.async_add_listener(
            self._async_sync_instances, Wake.STRUCTURE
        )
        self._async_sync_instances()

        @callback
        def _async_stop() -> None:
            unlisten_structure()
            for key in tuple(self._unlisten):
                self._async_forget(key)

        return _async_stop

    @callback
    def _async_sync_instances(self) -> None:
        """Follow instances that appear; drop those that leave the hub."""
        instances = self._coordinator.data.instances
        for key in self._unlisten.keys() - instances.keys():
            self._async_forget(key)
        for key in instances.keys() - self._unlisten.keys():
            self._unlisten[key] = self._coordinator.async_add_listener(
                partial(self._async_check, key), key
            )
            self._async_check(key)

    @callback
    def _async_forget(self, key: InstanceKey) -> None:
        self._unlisten.pop(key)()
        self._async_stop_timer(key)
        self._not_capturing_since.pop(key, None)
        self._async_set_issue(key, None, None)

    @callback
    def _async_check(self, key: InstanceKey) -> None:
        """Raise, update or clear one instance's issue."""
        instance = self._coordinator.data.instances.get(key)
        if instance is None:
            # Left the hub; the structure listener is about to forget it.
            return
        if instance.status is not InstanceStatus.NOT_CAPTURING:
            self._not_capturing_since.pop(key, None)
            self._async_stop_timer(key)
            self._async_set_issue(key, instance, ISSUES.get(instance.status))
            return
        now = dt_util.utcnow()
        since = self._not_capturing_since.setdefault(key, now)
        if now - since >= NOT_CAPTURING_GRACE:
            # Stale data says nothing about the camera now: wait for the hub
            # to answer again (which wakes every listener) before telling.
            if self._coordinator.last_update_success:
                self._async_set_issue(key, instance, ISSUES[instance.status])
            return
        # Not yet: whatever issue the instance had is over, and this one may
        # come later, when nothing else would wake us.
        self._async_set_issue(key, instance, None)
        if key not in self._timers:
            self._timers[key] = async_call_later(
                self._hass,
                since + NOT_CAPTURING_GRACE - now,
                partial(self._async_grace_over, key),
            )

    @callback
    def _async_grace_over(self, key: InstanceKey, _now: datetime) -> None:
        del self._timers[key]
        self._async_check(key)

    @callback
    def _async_stop_timer(self, key: InstanceKey) -> None:
        if (cancel := self._timers.pop(key, None)) is not None:
            cancel()

    @callback
    def _async_set_issue(
        self, key: InstanceKey, instance: Instance | None, kind: _IssueKind | None
    ) -> None:
        """Make the instance's issue ``kind`` (None: no issue), if it is not."""
        raised = self._raised.get(key)
        if kind is None or instance is None:
            if raised is not None:
                del self._raised[key]
                ir.async_delete_issue(self._hass, DOMAIN, raised[0])
            return
        wanted = (issue_id(self._entry.entry_id, key, kind), instance.name)
        if raised == wanted:
            return
        if raised is not None and raised[0] != wanted[0]:
            ir.async_delete_issue(self._hass, DOMAIN, raised[0])
        self._raised[key] = wanted
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            wanted[0],
            is_fixable=False,
            severity=kind.severity,
            translation_key=kind.translation_key,
            translation_placeholders={
                # The title shows as plain text; the description is Markdown,
                # where names (the hub's, or the user's) must stay text.
                "name": instance.name,
                "name_markdown": markdown_literal(instance.name),
                "hub_markdown": markdown_literal(self._entry.title),
                "boxid": str(instance.boxid),
                "number": str(instance.number),
                "minutes": str(int(NOT_CAPTURING_GRACE.total_seconds() // 60)),
            },
        )
