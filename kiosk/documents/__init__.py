"""The PDFs the kiosk makes, with ReportLab: the badge (`badge`), the evacuation roll call
(`roll_call`) and a visitor's copy of their data (`access_report`), their text set by `text`
(embedded fonts, right-to-left scripts, shrinking and shortening to fit).

Nothing is imported here: ReportLab loads only when a document is made, so the commands and the
start-up that make none never pay for it."""
