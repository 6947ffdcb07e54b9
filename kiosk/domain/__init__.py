"""The ground every other room stands on: what a visit is (`visit`), the audit log's records
(`audit`), the access log's record format (`access_log`) and workbook (`workbook`), the
events out of the core (`events`), the ports a storage engine implements and the list of
holders of personal data (`ports`), time (`clock`), the badge code (`badge_code`) and the
errors (`errors`).

Nothing is imported here: the command line reads `errors` before it starts the database check,
and that must stay cheap."""
