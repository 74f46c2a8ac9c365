"""The parts of ``cs-registry login`` that :mod:`cs_registry.commands.login` orchestrates.

:mod:`.rows` (one outcome per registry, merged into Docker's config), :mod:`.report`
(what the user reads), :mod:`.ecr` (key swaps and helper wiring, imported only when
an ECR triplet is present, so plain logins never load it).
"""
