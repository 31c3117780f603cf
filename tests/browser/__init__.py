"""The browser test: a real Home Assistant in headless Chromium."""
