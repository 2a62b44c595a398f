"""Sharing with partner organisations: what a partner sees of an incident, what it may receive
of the feed, and partners as incidents name them."""
