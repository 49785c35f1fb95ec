"""A corpus of hostile uploads: each is refused or cleaned, never a server error (ASVS 5.2)."""

import io
import zipfile

import pytest
from PIL import Image

from tests.factories import image_bytes

from .helpers import request_count, valid_answers


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("zdjecie.jpg", image_bytes())
    return out.getvalue()


POLYGLOT = image_bytes() + b"<html><script>alert('x')</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML_AS_JPEG = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

REFUSED = {
    "svg-with-script.svg": SVG,
    "svg-named-jpg.jpg": SVG,
    "html-named-jpg.jpg": HTML_AS_JPEG,
    "php-named-jpg.jpg": b"<?php system($_GET['c']); ?>",
    "truncated.jpg": image_bytes()[:300],
    "zero-bytes.jpg": b"",
    "pixel-flood.png": _bomb(),
    "archive.zip": _zip(),
    "eicar.jpg": EICAR,
    "pdf.jpg": b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",
}
CLEANED = {
    "polyglot.jpg": POLYGLOT,
    "png-named-exe.exe": image_bytes("PNG"),
    "../../portal/app.jpg": image_bytes(),
    "animated.gif": image_bytes("GIF"),
    "tiff-photo.tif": image_bytes("TIFF"),
}


def _send(client, name, data):
    answers = valid_answers(client)
    answers["photos"] = [(io.BytesIO(data), name)]
    return client.post("/zglos", data=answers, content_type="multipart/form-data")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_v5_2_2_a_file_that_is_not_a_usable_photo_is_refused_at_the_field(
    client, upload_folder, name
):
    response = _send(client, name, REFUSED[name])

    assert response.status_code == 200
    assert 'id="photos-error"' in response.get_data(as_text=True)
    assert request_count(client) == 0
    assert list(upload_folder.iterdir()) == []


@pytest.mark.parametrize("name", sorted(CLEANED))
def test_v5_3_2_a_real_image_is_re_encoded_under_a_server_chosen_name(client, upload_folder, name):
    response = _send(client, name, CLEANED[name])

    assert response.status_code == 303
    stored = list(upload_folder.iterdir())
    assert len(stored) == 1
    data = stored[0].read_bytes()
    assert stored[0].suffix == ".jpg" and len(stored[0].stem) == 32
    assert data.startswith(b"\xff\xd8") and b"<script" not in data and b"<html" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"


def test_v5_2_1_a_body_over_the_size_limit_gets_a_friendly_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    answers = valid_answers(client)
    answers["photos"] = [(io.BytesIO(b"\0" * 60_000), "big.jpg")]

    response = client.post("/zglos", data=answers, content_type="multipart/form-data")

    assert response.status_code == 413
    assert 'lang="pl"' in response.get_data(as_text=True)
    assert request_count(client) == 0
