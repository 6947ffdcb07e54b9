"""Where the kiosk keeps its data: the stores that implement the core's ports
(`kiosk.domain.ports`). `storage.sqlite` is the embedded default. No Qt here; only the
composition root (`kiosk.bootstrap`) and the command line import this package."""
