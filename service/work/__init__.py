"""Work across incidents: the tasks that are a person's own (My work), the roles no one holds,
and the district leaders' summary across schools."""
