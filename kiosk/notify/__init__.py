"""Telling hosts that their visitor has arrived, through the outbox: who is told (`plan`,
decided at sign-in, written with the visit), the sender's thread and its rules (`sender`),
what a message says (`message`), and handing it over (`smtp`, `webhook`; `delivery` says how
that ended). `trial` sends the test message of `visitor-kiosk notify-test`."""
