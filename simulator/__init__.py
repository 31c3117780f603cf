"""A simulated Quividi VidiAccess hub, for tests and demos.

Only the standard library and aiohttp are used, so the simulator runs without
Home Assistant. See README.md in this directory for the HTTP and CLI interface.
"""

from .hub import (
    GATE_TYPES,
    PATH_INSTANCES,
    PATH_SET,
    PATH_SET_TYPE,
    STATUSES,
    VENDOR_SAMPLE,
    Fault,
    FaultSpec,
    GateType,
    Hub,
    Instance,
    InstanceKey,
    InvalidRequestError,
    ReceivedRequest,
    Status,
)
from .server import DELAYED_KEY, HUB_KEY, DelayedRequests, SimulatorServer, create_app

__all__ = [
    "DELAYED_KEY",
    "GATE_TYPES",
    "HUB_KEY",
    "PATH_INSTANCES",
    "PATH_SET",
    "PATH_SET_TYPE",
    "STATUSES",
    "VENDOR_SAMPLE",
    "DelayedRequests",
    "Fault",
    "FaultSpec",
    "GateType",
    "Hub",
    "Instance",
    "InstanceKey",
    "InvalidRequestError",
    "ReceivedRequest",
    "SimulatorServer",
    "Status",
    "create_app",
]
