"""Workbooks for people: dockets, summaries, review sheets."""
