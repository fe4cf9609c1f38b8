"""Allow `python -m kjd`."""

from kjd.entry import main

main()
