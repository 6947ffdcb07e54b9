"""Handing badges and reports to the print system (CUPS): badge printing, the subscriber of
`visit_signed_in`, and the files it and the roll call keep (two holders of personal data)."""

from kiosk.printing.badges import BadgeFiles, BadgePrinting
from kiosk.printing.cups import BadgePrinter, PrintFault, SaveOnly, make_printer
from kiosk.printing.reports import SavedReports

__all__ = [
    "BadgeFiles",
    "BadgePrinter",
    "BadgePrinting",
    "PrintFault",
    "SaveOnly",
    "SavedReports",
    "make_printer",
]
