"""The base of every error that is the user's to fix (exit code 2, no traceback)."""


class PlatformLintError(Exception):
    """Bad configuration, rule file, baseline or change description."""
