"""The demo organisation and the seeding that plays it through the services (``flask demo``,
``./dev up`` on its first run). Not domain code: it sits beside the services and only calls them."""
