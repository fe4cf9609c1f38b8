"""kjd: import, match and report for scientist–entrepreneur matchmaking."""

__version__ = "0.1.0"
