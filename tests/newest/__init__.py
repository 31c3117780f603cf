"""The newest Home Assistant release, run for real (scripts/test-newest)."""
