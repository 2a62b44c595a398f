"""Incidents at the edge: the API's commands (commands.py, their bodies in bodies.py) and reads
(reads.py), the board, an incident's page (with what it shows about shares), opening one,
signing in, how much of an incident a person gets (access.py) and need-to-know commands.

May import web/rendering.py, web/dependencies.py, web/errors.py and web/access/; no other
slice."""
