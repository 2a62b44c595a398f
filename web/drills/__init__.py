"""Drills on the web: the drill log (page, CSV, JSON), the drill report, the review's commands."""
