"""School calendars: reading iCalendar files, which calendar is in force, and importing them
(service/calendars/service.py)."""
