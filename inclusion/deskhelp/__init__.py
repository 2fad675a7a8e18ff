"""Help that is never booked: the information desk's quick log of help given on the spot,
so that a municipality's statistics show all the help, without collecting names."""
