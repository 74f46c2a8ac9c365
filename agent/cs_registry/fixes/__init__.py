"""``doctor --fix``: the safe, reversible repairs of what ``doctor`` reports.

:mod:`cs_registry.fixes.plan` turns doctor's config.json checks into changes of the
parsed document; :mod:`cs_registry.commands.doctor_fix` applies them (backup first)
and reports.
"""
