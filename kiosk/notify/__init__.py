"""Telling hosts that their visitor has arrived: the mail server (`smtp`)."""
