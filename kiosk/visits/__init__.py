"""Signing visitors in and out, who is on site, the hosts, the rights notice."""
