"""The domain core: the workflow and its rules in plain Python.

Nothing here imports Flask, SQLAlchemy or the rest of the portal, so the rules can be
read, tested and reused without an app or a database.
"""
