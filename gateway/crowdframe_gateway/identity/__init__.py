"""Identity: clients, workers and their profiles, API keys, signing secrets, pseudonyms,
password hashes and shared rate limits.

Other contexts use what is exported here; the services (``accounts``, ``clients``,
``keyring``, ``throttle``) are called by the edge.
"""

from .credentials import hash_api_key, worker_pseudonym

__all__ = ["hash_api_key", "worker_pseudonym"]
