"""Staff pages for running work: one module per area (steps, trays, progress map)."""
