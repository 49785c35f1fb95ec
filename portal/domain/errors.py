"""The errors the domain raises, which the web layer turns into messages for people."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark message for the catalogue; it is translated later, where it is shown."""
    return message


class DomainError(Exception):
    """A request the domain refuses.

    The message is the untranslated text a person reads (marked for translation where it
    is written); `field` names the form field it is about, or None for the whole form;
    `params` fill the message's %(name)s placeholders once it is translated.
    """

    def __init__(self, message: str, field: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params or {}


class StaleEdit(Exception):
    """Someone else changed the record since it was loaded; nothing was saved."""
