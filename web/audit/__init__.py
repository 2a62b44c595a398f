"""The auditor's surfaces: timelines, replay, the after-action report, the log of who viewed an
incident, and noting each view (noting.py, which the other slices call).

May import web/rendering.py, web/guards.py, web/errors.py and web/auth.py; no other slice."""
