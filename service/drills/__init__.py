"""Drills: incidents opened as drills, their timed review, the drill report and the drill log."""
