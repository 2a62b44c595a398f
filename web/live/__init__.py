"""The live board feed over a websocket: who sees what (audiences.py), the fan-out of pre-built
frames to each audience's connections (hub.py), the account changes that close or rescope
connections (revocation.py), the session every connection runs and its ASGI route (feed.py), and
the websockets library's server that `steady serve` hands the upgrades to (feed_server.py). It
may import domain/, service/, web/access/auth.py and web/access/sessions.py; no other web module
imports it but web/app.py and web/cli.py."""
