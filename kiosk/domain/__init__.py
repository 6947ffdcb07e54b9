"""What a visit is, the badge code, time, and the errors the kiosk reports."""
