"""Forms of the buyer-facing pages, one module per area (see ``views/``)."""
