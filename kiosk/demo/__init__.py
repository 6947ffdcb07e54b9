"""Synthetic visits for demonstrations, screenshots and benchmarks (`visitor-kiosk demo`)."""

from kiosk.demo.generate import DemoSummary, add_demo_visits

__all__ = ["DemoSummary", "add_demo_visits"]
