"""Command-line layer: one module per verb group, registered in kjd.cli."""
