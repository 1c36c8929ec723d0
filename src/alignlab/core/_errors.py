"""Errors that carry a message meant for the user, not a traceback."""

from __future__ import annotations


class AlignlabError(Exception):
    """Base class for errors alignlab reports to a user in one clear line."""


class ParameterError(AlignlabError, ValueError):
    """A slider, option, seed or experiment id is invalid (CLI exit 2, API 422)."""


class UnknownExperimentError(ParameterError, LookupError):
    """No experiment is registered under the requested id."""


class ExperimentCheckError(AlignlabError, AssertionError):
    """An experiment broke one or more of the contracts the checker verifies."""
