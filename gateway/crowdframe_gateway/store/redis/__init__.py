"""Plumbing of the Redis store: the connection, the key layout, codecs, Lua scripts."""
