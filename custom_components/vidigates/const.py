"""Constants for the VidiGates integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "vidigates"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Quividi"
HUB_MODEL: Final = "VidiAccess hub"
INSTANCE_MODEL: Final = "VidiGates instance"

# Door signs must react within a couple of seconds, and the hub is a local
# service built to be polled by signage players, so a short interval is cheap
# for both sides; idle polls write nothing (see coordinator).
SCAN_INTERVAL: Final = timedelta(seconds=2)
# Longer than the interval on purpose: the coordinator schedules the next poll
# only when this one has ended, so a slow hub delays polls instead of piling
# them up, and one slow answer does not make every entity unavailable.
REQUEST_TIMEOUT: Final = 5.0

# The largest occupancy or limit the controls accept. The hub documents no
# limit; the largest stadiums hold under 200 000 people, so a million fits any
# venue, while a value typed with several digits too many is refused instead of
# reaching the door signs.
MAX_PEOPLE: Final = 1_000_000
