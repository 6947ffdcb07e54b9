# The kiosk's two everyday commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages for the printing tests, for the real-window tests (a virtual screen, a
# window manager, setxkbmap to switch keyboard layouts), for the screen-reader test (a D-Bus
# session bus, the AT-SPI accessibility bus and registry, and libatspi for the system Python's
# AT-SPI client), the X11 libraries Qt's xcb platform plugin loads to show a window, and
# libpulse0 for Qt's on-screen keyboard, and PostgreSQL for the shared-database tests (each
# test session starts a private server of its own; installed when run as root).
DEB_PACKAGES := cups printer-driver-cups-pdf poppler-utils zbar-tools fonts-dejavu-core openssl \
	postgresql \
	xvfb openbox x11-xkb-utils libpulse0 \
	dbus at-spi2-core python3-gi gir1.2-atspi-2.0 \
	libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 \
	libx11-xcb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
	libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 \
	libxcb-xinerama0 libxcb-xkb1

.PHONY: run test lint typecheck contracts bench profile screenshots clean system-deps venv

run: system-deps $(STAMP)
	$(BIN)/visitor-kiosk run $(ARGS)

test: system-deps $(STAMP) lint typecheck contracts
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check kiosk storage ui tests benchmarks scripts
	$(BIN)/ruff format --check kiosk storage ui tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

profile: $(STAMP)
	$(BIN)/python -m benchmarks.profile

screenshots: $(STAMP)
	$(BIN)/visitor-kiosk screenshots --out docs/screenshots
	$(BIN)/python scripts/badge_samples.py --out docs/badges

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# As root (a fresh Debian machine, CI): install what the real-printer and real-window tests need.
# As a normal user: say what is missing; under CI=true a missing package is an error.
system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif [ "$${CI:-}" = true ]; then \
		echo "missing Debian packages (run make test as root): $$missing" >&2; exit 1; \
	else \
		echo "note: missing Debian packages, install them with: sudo apt-get install $$missing" >&2; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
