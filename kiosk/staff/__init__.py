"""What reception staff do: the PIN, the audit log, visitors' rights requests."""
