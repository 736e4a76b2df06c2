"""Crowdframe gateway: the Starlette service between workers and client-hosted task pages."""
