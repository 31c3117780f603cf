"""Run Home Assistant for the demo: ``python -m demo.hass --config DIR ...``.

The same as ``hass``, with the demo's stand-ins (``demo/shims/``) at the end of
the import path, where only a module missing from the virtualenv is taken.
"""

from __future__ import annotations

from pathlib import Path
import sys

from homeassistant.__main__ import main

if __name__ == "__main__":
    sys.path.append(str(Path(__file__).resolve().parent / "shims"))
    sys.exit(main())
