"""Performance measures for `make bench` (never part of `make test`)."""
