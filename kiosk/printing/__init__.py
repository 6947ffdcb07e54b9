"""Handing badges and reports to the print system (CUPS)."""
