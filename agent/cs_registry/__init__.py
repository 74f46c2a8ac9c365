"""cs-registry: Codespaces-style private registry login for any dev container."""

__version__ = "0.1.0"
