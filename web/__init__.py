"""The Litestar edge: JSON API, pages, the websocket feed, sign-in and guards. May import
anything below (service/, domain/, playbooks/); nothing below imports this."""
