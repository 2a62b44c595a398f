"""The application layer: commands and queries over the event log, the log's followers, and
configuration. May import domain/ and playbooks/, never web/. bootstrap.py is the one place that
builds and wires the parts; config.py reads the environment."""
