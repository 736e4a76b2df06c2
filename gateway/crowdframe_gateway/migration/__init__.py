"""``crowdframe migrate``: copy a SQLite store into an empty Redis store."""
