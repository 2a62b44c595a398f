"""The rosters' admin page: uploading a OneRoster export and seeing what it changed."""
