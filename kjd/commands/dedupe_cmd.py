"""Commands registered by this module (not yet built)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the kjd app."""
