"""Amazon ECR: swap AWS keys for registry tokens, cache them, and say what went wrong.

Every token comes through :func:`.provider.token_provider` (cache first, then
swap): ``login``, the credential helper and ``debug-login`` (without the cache) all
enter there. Modules: :mod:`.names` (which registries swap, and the names Docker
sees), :mod:`.keys` (what a swap needs), :mod:`.cache` (the token cache, stdlib
only: the credential helper's hot path), :mod:`.classify` (AWS errors → diagnosis
codes), :mod:`.swap` (botocore, imported only when a swap runs), :mod:`.provider`,
:mod:`.records` (expiries of static entries, for doctor).
This package imports nothing on its own, so ``import cs_registry.ecr.cache`` stays cheap.
"""
