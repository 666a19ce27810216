"""Flask-WTF forms, one module per area. Forms check shape (types, lengths, choices); policy
(what a submission must contain) is checked by the services so that every channel obeys it."""
