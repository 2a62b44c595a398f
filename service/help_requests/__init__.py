"""Help requests: anonymous reports and asks from the public help page, and the help desk's
work on them (service/help_requests/service.py is the facade)."""
