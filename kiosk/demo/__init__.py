"""Synthetic visits for demonstrations, screenshots and benchmarks."""
