"""The live board feed over a websocket: audiences (who sees what), the hub (fan-out to each
connection), revocation (account changes that close connections) and the websocket handler."""
