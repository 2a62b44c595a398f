"""Following the event log: the follower that hands each new event on in order, how it is woken
(LISTEN/NOTIFY, polling), and events as readers outside the domain see them."""
