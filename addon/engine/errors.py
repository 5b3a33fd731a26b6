"""The error every stage raises for a problem that stops the whole run before it writes anything."""


class SetupError(Exception):
    """A problem that stops the whole run before any file is written; the message names the file or option."""
