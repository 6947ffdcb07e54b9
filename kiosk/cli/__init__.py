"""The command line, `visitor-kiosk` (see the README, "Command line")."""
