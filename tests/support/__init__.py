"""Shared test helpers: fixtures' building blocks, importable as ``tests.support.*``."""
