"""The checks ``cs-registry doctor`` runs, one module per area.

Each returns :class:`~cs_registry.checks.check.Check` records; the command only
orders and prints them.
"""
