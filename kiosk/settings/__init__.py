"""What everything reads: the config (`config`), where things live (`paths`), the log (`logs`),
private whole-file writes (`files`), one kiosk per data dir (`instance`), the shipped assets
(`assets`) and the words in each language (`i18n`).

Nothing is imported here: the command line reads `paths` and `files` before it starts the
database check, and that must stay cheap."""
