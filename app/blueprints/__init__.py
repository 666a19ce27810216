"""One blueprint per area: auth, portal (employees), agent (technicians), admin, files,
notifications. Shared view helpers are in ``blueprints.common``."""
