"""Sharing with partner organisations at the edge: the API that shares an incident or a note and
ends a share. What the incident page shows about shares is drawn by web/incidents/.

May import web/dependencies.py, web/errors.py and web/access/; no other slice."""
