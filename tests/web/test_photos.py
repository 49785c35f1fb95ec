"""Photos: real images re-encoded without metadata; anything else refused with a message."""

import io

import pytest
from PIL import Image

from tests.factories import image_bytes

from .helpers import only_request, request_count, valid_answers


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (50.0, 40.0, 0.0), 3: "E", 4: (17.0, 55.0, 0.0)}  # GPS
    return exif


def _post(client, files, **changes):
    answers = valid_answers(client, **changes)
    answers["photos"] = [(io.BytesIO(data), name) for name, data in files]
    return client.post("/zglos", data=answers, content_type="multipart/form-data")


def test_v5_2_2_a_real_photo_is_accepted_and_re_encoded_without_metadata(client, upload_folder):
    original = image_bytes("JPEG", size=(3000, 2000), exif=_exif_with_gps())
    assert b"PhoneMaker" in original

    response = _post(client, [("kanapa.jpg", original)])

    assert response.status_code == 303
    request = only_request(client)
    stored = list(upload_folder.iterdir())
    assert len(stored) == 1
    data = stored[0].read_bytes()
    assert data != original
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 2000
        assert not image.getexif().get_ifd(0x8825)
    assert "kanapa" not in stored[0].name
    assert request.reference


def test_png_and_webp_photos_become_jpeg(client, upload_folder):
    response = _post(client, [("a.png", image_bytes("PNG")), ("b.webp", image_bytes("WEBP"))])

    assert response.status_code == 303
    assert sorted(p.suffix for p in upload_folder.iterdir()) == [".jpg", ".jpg"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("zdjecie.jpg", b"this is just text pretending to be a photo"),
        ("obraz.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("dokument.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj"),
        ("uciete.jpg", image_bytes("JPEG")[:200]),
    ],
)
def test_a_file_that_is_not_a_usable_photo_is_refused_with_a_message(
    client, upload_folder, name, data
):
    response = _post(client, [(name, data)])

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="photos-error"' in page
    assert name in page
    assert request_count(client) == 0
    assert list(upload_folder.iterdir()) == []
    assert 'value="Janina Nowak"' in page


def test_an_oversized_photo_is_refused_with_a_message(client, app, upload_folder):
    limit = app.config["PHOTO_MAX_BYTES"]
    big = image_bytes("PNG", size=(10, 10)) + b"\0" * limit

    response = _post(client, [("duze.png", big)])

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="photos-error"' in page
    assert "duze.png" in page
    assert request_count(client) == 0


def test_more_than_three_photos_are_refused(client, upload_folder):
    files = [(f"{i}.jpg", image_bytes()) for i in range(4)]

    response = _post(client, files)

    assert 'id="photos-error"' in response.get_data(as_text=True)
    assert request_count(client) == 0
    assert list(upload_folder.iterdir()) == []


def test_v5_3_1_photos_are_not_served_publicly(client, upload_folder):
    _post(client, [("a.jpg", image_bytes())])
    stored = next(upload_folder.iterdir()).name

    for url in (f"/static/{stored}", f"/uploads/{stored}", f"/static/../instance/uploads/{stored}"):
        assert client.get(url).status_code == 404


def test_a_repeated_submission_with_photos_keeps_one_copy(client, upload_folder):
    answers = valid_answers(client)

    for _ in range(2):
        data = dict(answers)
        data["photos"] = [(io.BytesIO(image_bytes()), "a.jpg")]
        client.post("/zglos", data=data, content_type="multipart/form-data")

    assert request_count(client) == 1
    assert len(list(upload_folder.iterdir())) == 1
