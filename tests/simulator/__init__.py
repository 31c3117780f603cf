"""Tests for the VidiAccess hub simulator."""
