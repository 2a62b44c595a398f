"""Incidents at the edge: the JSON API, the pages (board, incident, opening one, playbooks),
how much of an incident a person gets, and need-to-know commands."""
