"""Photos sent through a form: checked and cleaned, or a message at the field in Polish."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from ..i18n import N_
from ..photos import CleanPhoto, PhotoRejected, clean_photo

PHOTO_MESSAGES = {
    "too_large": N_("The photo %(name)s is larger than %(limit)s MB. Choose a smaller photo."),
    "empty": N_("The file %(name)s is empty. Choose a photo."),
    "not_image": N_("The file %(name)s is not a photo. Add photos in JPG, PNG or WEBP format."),
    "too_many_pixels": N_("The photo %(name)s is too large. Choose a smaller photo."),
    "damaged": N_("The photo %(name)s could not be read; it may be damaged. Choose another photo."),
}


def clean_uploads(field, *, max_count: int) -> list[CleanPhoto] | None:
    """The photos of a file field (one file or several), checked and cleaned; None with
    the errors put at the field."""
    data = field.data if isinstance(field.data, list) else [field.data]
    files = [f for f in data if getattr(f, "filename", "")]
    config = current_app.config
    errors = list(field.errors)
    if len(files) > max_count:
        field.errors = [*errors, _("Add at most %(count)s photos.", count=max_count)]
        return None
    cleaned = []
    for upload in files:
        try:
            cleaned.append(
                clean_photo(
                    upload.read(config["PHOTO_MAX_BYTES"] + 1),
                    max_bytes=config["PHOTO_MAX_BYTES"],
                    max_pixels=config["PHOTO_MAX_PIXELS"],
                    max_side=config["PHOTO_MAX_SIDE"],
                )
            )
        except PhotoRejected as rejection:
            errors.append(
                _(
                    PHOTO_MESSAGES[rejection.reason],
                    name=upload.filename[:80],
                    limit=config["PHOTO_MAX_BYTES"] // (1024 * 1024),
                )
            )
    field.errors = errors
    return None if errors else cleaned
