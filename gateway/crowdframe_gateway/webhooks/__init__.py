"""Webhooks: endpoints, events and the outbox, the delivery loop with its HTTP client and SSRF
guard, the delivery log and replays, the live feed of a client's events.
"""
