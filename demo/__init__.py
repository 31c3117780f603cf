"""A real Home Assistant around the VidiGates integration and the hub simulator.

``scripts/develop`` (``python -m demo``) runs it for a person; the browser test
(``tests/browser/``) runs it for Chromium. See :class:`demo.stack.DemoStack`.
"""
