"""The shared kernel every context builds on: records, the exception tree, what each event
says, the majority vote, reading input once, pages and cursors. Its modules are its public
surface (``core.records``, ``core.errors``, ...); it imports nothing of the gateway's above it.
"""
