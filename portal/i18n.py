"""Messages defined where no locale is known yet, and translated where they are shown.

Domain code raises errors and builds tables of messages before any request exists;
wrapping a message in N_ puts it in the catalogue without translating it, and the view
that shows it passes it through gettext.
"""


def N_(message: str) -> str:
    """Mark message for the catalogue; translate it later, where it is shown."""
    return message
