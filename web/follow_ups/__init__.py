"""My follow-ups: the check-ins a person may record across incidents, and recording one."""
