"""Reunification after a hold, lockdown, evacuation, severe weather or threat: the Standard
Reunification Method's stations as events, the live counts, and the families' updates."""
