"""MTurk compatibility: ExternalQuestion pages and boto3 ``mturk`` scripts, unchanged.

A thin edge over the native paths (docs/migrate-from-mturk.md): a HIT type is a set of project
settings, a HIT is a task, an MTurk assignment is an assignment. ``routes.mturk_app`` is mounted
at ``/mturk``. Nothing is imported here, so the store can import ``mturk.records`` freely.
"""
