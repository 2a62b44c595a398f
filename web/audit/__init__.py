"""The auditor's surfaces: timelines, replay, the after-action report and the log of who viewed
an incident. (Each surface notes a view through the `note_view` dependency, web/dependencies.py.)

May import web/rendering.py, web/dependencies.py, web/errors.py and web/access/; no other
slice."""
