"""Sharing with partner organisations at the edge: the API and what the incident page shows
about shares."""
