"""The access log as CSV or JSON."""
