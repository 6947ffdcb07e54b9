"""The PDFs the kiosk makes (ReportLab): badges, roll calls, access reports."""
