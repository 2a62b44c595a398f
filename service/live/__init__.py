"""Following the event log: the follower that hands each new event on in order, how it is woken
(LISTEN/NOTIFY, polling), state folded in memory from the log a page at a time, and events as
readers outside the domain see them."""
