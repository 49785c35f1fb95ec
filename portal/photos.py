"""Photos of the item: checked by content, re-encoded without metadata, kept out of the web root."""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}


class PhotoRejected(ValueError):
    """The upload is not a photo we can accept; `reason` says why in a message id."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def clean_photo(raw: bytes, *, max_bytes: int, max_pixels: int, max_side: int) -> CleanPhoto:
    """Decode an upload, refuse what is not a usable image, and return it as a fresh JPEG."""
    if len(raw) > max_bytes:
        raise PhotoRejected("too_large")
    if not raw:
        raise PhotoRejected("empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise PhotoRejected("not_image")
                if probe.width * probe.height > max_pixels:
                    raise PhotoRejected("too_many_pixels")
                probe.verify()
            with Image.open(io.BytesIO(raw)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGB")
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected("not_image") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise PhotoRejected("damaged") from None

    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    # A new JPEG carries no EXIF (GPS, camera, owner) unless we pass it, and we don't.
    image.save(out, format="JPEG", quality=85, optimize=True)
    return CleanPhoto(out.getvalue(), image.width, image.height)


def store_photo(folder: str, photo: CleanPhoto) -> str:
    """Write a cleaned photo under a random name and return that name."""
    os.makedirs(folder, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    path = os.path.join(folder, name)
    with open(path, "xb") as handle:
        handle.write(photo.data)
    return name


def remove_photo(folder: str, stored_name: str) -> None:
    try:
        os.remove(os.path.join(folder, stored_name))
    except FileNotFoundError:
        pass
