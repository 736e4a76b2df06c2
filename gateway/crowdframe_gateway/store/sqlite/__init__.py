"""Plumbing of the SQLite store: the connection, transactions, checkpoints, events."""
