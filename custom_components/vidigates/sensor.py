"""Sensors of a VidiAccess hub: occupancy, limit, totals, instance and gate data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.helpers.typing import StateType

from .coordinator import Context, VidiGatesConfigEntry, Wake
from .entity import (
    HubScope,
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .models import Direction, Gate, GateKey, HubState, Instance, InstanceStatus, Tally

# Read-only: the coordinator does all I/O.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VidiGatesSensorEntityDescription[SubjectT](
    SensorEntityDescription, VidiGatesEntityDescription[SubjectT]
):
    """A sensor and how to read its value from its subject."""

    value_fn: Callable[[SubjectT], StateType]


@dataclass(frozen=True, kw_only=True)
class VidiGatesTallySensorEntityDescription(VidiGatesSensorEntityDescription[Tally]):
    """A hub total of people crossing one way, read from the hub's :class:`Tally`."""

    direction: Direction


HUB_SENSORS: tuple[VidiGatesSensorEntityDescription[HubState], ...] = (
    VidiGatesSensorEntityDescription(
        key="occupancy",
        translation_key="occupancy",
        in_set_answer=True,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.current,
    ),
    VidiGatesSensorEntityDescription(
        key="threshold",
        translation_key="threshold",
        in_set_answer=True,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.threshold,
    ),
    VidiGatesSensorEntityDescription(
        key="remaining_capacity",
        translation_key="remaining_capacity",
        in_set_answer=True,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.remaining_capacity,
    ),
    VidiGatesSensorEntityDescription(
        key="occupancy_ratio",
        translation_key="occupancy_ratio",
        in_set_answer=True,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda hub: hub.occupancy_ratio,
    ),
)

# Long-term statistics add up what these grow by, and read a drop as a new
# cycle: they rise with every crossing and drop only at the daily reset.
TALLY_SENSORS: tuple[VidiGatesTallySensorEntityDescription, ...] = (
    VidiGatesTallySensorEntityDescription(
        key="entries",
        translation_key="entries",
        state_class=SensorStateClass.TOTAL_INCREASING,
        direction=Direction.IN,
        value_fn=lambda tally: tally.entries,
    ),
    VidiGatesTallySensorEntityDescription(
        key="exits",
        translation_key="exits",
        state_class=SensorStateClass.TOTAL_INCREASING,
        direction=Direction.OUT,
        value_fn=lambda tally: tally.exits,
    ),
)

INSTANCE_SENSORS: tuple[VidiGatesSensorEntityDescription[Instance], ...] = (
    VidiGatesSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=[status.value for status in InstanceStatus],
        value_fn=lambda instance: instance.status.value,
    ),
)

GATE_SENSORS: tuple[VidiGatesSensorEntityDescription[Gate], ...] = (
    VidiGatesSensorEntityDescription(
        key="in",
        translation_key="gate_in",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda gate: gate.crossings_in,
    ),
    VidiGatesSensorEntityDescription(
        key="out",
        translation_key="gate_out",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda gate: gate.crossings_out,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's sensors, and those of every instance and gate it reports."""
    async_setup_dynamic_entities(
        entry,
        async_add_entities,
        VidiGatesSensor,
        hub=HUB_SENSORS,
        instance=INSTANCE_SENSORS,
        gate=GATE_SENSORS,
    )
    coordinator = entry.runtime_data
    scope = TallyScope(entry.entry_id, SharedTally())
    async_add_entities(
        VidiGatesTallySensor(coordinator, scope, desc) for desc in TALLY_SENSORS
    )


class VidiGatesSensor[SubjectT](VidiGatesEntity[SubjectT], SensorEntity):
    """A VidiGates sensor."""

    entity_description: VidiGatesSensorEntityDescription[SubjectT]
    _value_attr = "_attr_native_value"


@dataclass(frozen=True, slots=True)
class TallyExtraData(ExtraStoredData):
    """What a tally sensor keeps across restarts: its total and each gate's counter."""

    total: int
    counters: Mapping[GateKey, int]

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form (JSON: the gates as lists)."""
        return {
            "total": self.total,
            "counters": [[*key, count] for key, count in self.counters.items()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self | None:
        """Read the stored form; None when it is not what this class wrote."""
        total = data.get("total")
        rows = data.get("counters")
        if (
            type(total) is not int
            or not isinstance(rows, list)
            or not all(
                isinstance(row, list)
                and len(row) == 4
                and all(type(item) is int for item in row)
                for row in rows
            )
        ):
            return None
        return cls(total, {(row[0], row[1], row[2]): row[3] for row in rows})


class SharedTally:
    """The one :class:`Tally` of a hub, which its entries and exits sensors read.

    Both read it after one pass over the hub's changes: the first sensor
    woken advances it, the second finds it at the snapshot already.
    """

    def __init__(self) -> None:
        """Start from nothing: the first state read gives the hub's own sums."""
        self.tally = Tally(0, 0)


@dataclass(frozen=True, slots=True)
class TallyScope(HubScope):
    """The hub, seen through its tally; woken by counters and gate types only.

    Not only by the hub's sums: the crossings of a way that a gate type does
    not count move no sum, and the tally must have seen them before the type
    changes to count them.
    """

    shared: SharedTally

    @override
    def context(self, key: str) -> Context:
        return Wake.COUNTERS

    # The hub's place and device, but the subject is the tally the hub moves.
    @override
    def lookup(self, data: HubState) -> Tally:  # type: ignore[override]
        shared = self.shared
        shared.tally = shared.tally.advance(data)
        return shared.tally


class VidiGatesTallySensor(VidiGatesSensor[Tally], RestoreEntity):
    """Entries or exits of the hub since its daily reset, as people crossed.

    A change of gate type moves the hub's own sums by a whole day of
    crossings at once; this sensor counts each crossing when it happens
    instead (see :class:`Tally`), and carries its count across restarts.
    """

    entity_description: VidiGatesTallySensorEntityDescription
    _scope: TallyScope

    @override
    async def async_added_to_hass(self) -> None:
        """Go on from the count kept before a restart."""
        await super().async_added_to_hass()
        if (stored := await self.async_get_last_extra_data()) is None or (
            extra := TallyExtraData.from_dict(stored.as_dict())
        ) is None:
            return
        shared = self._scope.shared
        shared.tally = shared.tally.restored(
            self.entity_description.direction, extra.total, extra.counters
        )
        # The hub now, against each gate's counter then.
        self._refresh()

    @property
    @override
    def extra_restore_state_data(self) -> TallyExtraData:
        """Keep the total, and what it was counted from, across restarts."""
        tally, direction = self._scope.shared.tally, self.entity_description.direction
        return TallyExtraData(tally.total(direction), tally.gate_counters(direction))
