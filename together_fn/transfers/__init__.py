"""Moving files to and from the API, as pure decisions: what to name a download, whether an
answer continues it, what to send next. The drivers in ``executors/`` only move the bytes.
"""
