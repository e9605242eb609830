"""The package version; equals the repository's VERSION file (a test checks)."""

__version__ = "0.1.0"
