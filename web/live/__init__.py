"""The live board feed over a websocket: who sees what (audiences.py), the fan-out to each
connection (hub.py), the account changes that close or rescope connections (revocation.py) and
the websocket handler (feed.py). It may import domain/, service/, web/access/auth.py and
web/access/sessions.py; no other web module imports it but web/app.py."""
