"""Allow `python -m kjd`."""

from kjd.cli import main

main()
