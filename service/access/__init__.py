"""Who may do what and see which incident: the permission matrix and the need-to-know rule.
The edge, the board and the live feed all ask these modules; none of them decides alone."""
