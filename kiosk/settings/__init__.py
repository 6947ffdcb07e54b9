"""What everything reads: config, paths, logs, files, shipped assets, words."""
