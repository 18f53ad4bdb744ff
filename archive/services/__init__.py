"""Services: the only place business rules live. Routers and CLI commands call these."""
