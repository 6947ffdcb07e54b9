"""Data files the kiosk ships: stylesheet, translations, rights notices, fonts and icons."""
