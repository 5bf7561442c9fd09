"""The services layer: every rule of the domain lives here.

Services take the acting user explicitly, change the session, flush when they
need ids, and never commit: the request (or CLI command) commits once, so the
audit event lands in the same transaction as the change it describes.
"""
