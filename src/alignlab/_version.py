"""The installed version of alignlab."""

__version__ = "0.1.0"
