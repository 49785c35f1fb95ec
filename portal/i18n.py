"""Messages defined where no locale is known yet, and translated where they are shown.

Domain code raises errors and builds tables of messages before any request exists;
wrapping a message in N_ puts it in the catalogue without translating it, and the view
that shows it passes it through gettext. Also: which configured languages lack their
compiled catalogue (an install that would silently serve the English msgids). And how
numbers of hours are written: with the locale's decimal comma, wherever they are shown.
"""

from __future__ import annotations

import os
from decimal import Decimal

from flask_babel import format_decimal

from .domain.errors import N_  # noqa: F401  (the one marker, shared with the domain)


def missing_catalogues(root_path: str, config) -> list[str]:
    """Return the configured languages whose compiled catalogue (messages.mo) is missing."""
    directories = [
        os.path.join(root_path, directory)
        for directory in config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    ]
    return [
        language
        for language in config["LANGUAGES"]
        if language != config["SOURCE_LANGUAGE"]
        and not any(
            os.path.isfile(os.path.join(directory, language, "LC_MESSAGES", "messages.mo"))
            for directory in directories
        )
    ]


def format_hours(hours: Decimal | float | int) -> str:
    """Write a number of hours as the locale does, e.g. 1,5 or 12 (never 1.50 or 1E+1)."""
    return format_decimal(hours, "#,##0.##")
