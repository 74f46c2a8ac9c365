"""Platforms as Docker matches them against an image index (containerd's ``platforms``).

The daemon asks for its own ``OSType``/``Architecture`` (normalised: ``x86_64`` is
``amd64``, ``aarch64`` is ``arm64`` with variant ``v8``); an ``arm/v7`` daemon also
accepts ``v6`` and ``v5`` images, an ``arm64`` one accepts entries without a variant.
"""

from __future__ import annotations

import platform as host_platform
from dataclasses import dataclass
from typing import Any

_ARCH_ALIASES = {
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "i386": "386",
    "i686": "386",
    "armhf": "arm",
    "armel": "arm",
    "armv7l": "arm",
    "armv6l": "arm",
}
_ARCH_VARIANT = {"armhf": "v7", "armel": "v6", "armv7l": "v7", "armv6l": "v6"}
_ARM_VARIANTS = ("v5", "v6", "v7", "v8")


@dataclass(frozen=True)
class Platform:
    """``os/architecture[/variant]``, normalised."""

    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text

    def accepts(self, other: Platform) -> bool:
        """Whether an index entry for ``other`` satisfies a pull for this platform."""
        if (self.os, self.architecture) != (other.os, other.architecture):
            return False
        if self.architecture == "arm" and other.variant in _ARM_VARIANTS:
            wanted = _ARM_VARIANTS.index(self.variant) if self.variant in _ARM_VARIANTS else 2
            return _ARM_VARIANTS.index(other.variant) <= wanted
        return self.variant == other.variant


def normalise(os_name: str, architecture: str, variant: str = "") -> Platform:
    """Docker's spelling of a platform (``linux/x86_64`` → ``linux/amd64``)."""
    raw = architecture.strip().lower()
    arch = _ARCH_ALIASES.get(raw, raw)
    variant = (variant or _ARCH_VARIANT.get(raw, "")).strip().lower()
    if arch == "arm64" and variant in ("", "8"):
        variant = "v8"
    elif arch == "arm" and variant in ("", "7"):
        variant = "v7"
    elif arch == "amd64" and variant == "v1":
        variant = ""
    return Platform(os_name.strip().lower(), arch, variant)


def parse(text: str) -> Platform | None:
    """``os/arch[/variant]`` as ``--platform`` takes it, or ``None`` when malformed."""
    parts = text.strip().split("/")
    if len(parts) not in (2, 3) or not all(parts):
        return None
    return normalise(*parts)


def of_entry(entry: Any) -> Platform | None:
    """The platform of an index entry (``None`` for attestations and entries without one)."""
    spec = entry.get("platform") if isinstance(entry, dict) else None
    if not isinstance(spec, dict):
        return None
    os_name, arch = str(spec.get("os") or ""), str(spec.get("architecture") or "")
    if not os_name or not arch or "unknown" in (os_name, arch):
        return None
    return normalise(os_name, arch, str(spec.get("variant") or ""))


def this_machine() -> Platform:
    """The platform of the machine we run on (used when no daemon answers)."""
    return normalise(host_platform.system() or "linux", host_platform.machine() or "amd64")


__all__ = ["Platform", "normalise", "of_entry", "parse", "this_machine"]
