"""The live board feed over a websocket: audiences, the hub and each connection."""
