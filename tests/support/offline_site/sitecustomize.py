"""Loaded by the Python children of tests that look names up on purpose (an ECR host
that must not resolve): their lookups stay on this machine, as the suite's own do.
See ``tests/support/loopback_names.py``; :func:`tests.support.loopback_names.child_env`
puts this folder first on a child's ``PYTHONPATH``."""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "_cs_registry_tests_loopback_names",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "loopback_names.py"),
)
if _spec is not None and _spec.loader is not None:
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    _module.install()
