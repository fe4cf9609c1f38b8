"""Entity resolution and demand → target matching."""
