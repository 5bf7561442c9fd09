"""Uploads are judged by their bytes, limited in size, and stored under random names."""
import io
import os

import pytest
from werkzeug.datastructures import FileStorage

from grants.extensions import db
from grants.services.attachments import store_upload
from grants.services.errors import ValidationFailed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name: str, content: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def test_real_pdf_is_stored_outside_static_under_a_random_name(app, demo):
    org = demo.applicant.organisation
    attachment = store_upload(upload("../../etc/governing doc.pdf", PDF), organisation=org,
                              kind="governing_document", actor=demo.applicant)
    db.session.commit()
    assert attachment.original_filename == "governing doc.pdf"
    assert attachment.stored_name.endswith(".pdf") and "governing" not in attachment.stored_name
    path = os.path.join(app.config["UPLOAD_FOLDER"], attachment.stored_name)
    assert open(path, "rb").read() == PDF
    assert "static" not in os.path.abspath(path).split(os.sep)


@pytest.mark.parametrize("name, content, message", [
    ("policy.pdf", b"<html><script>alert(1)</script></html>", "not a real PDF"),
    ("policy.pdf", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "not a real PDF"),
    ("photo.png", PDF, "not a real PNG"),
    ("run.exe", b"MZ\x90\x00", "must be a PDF"),
    ("page.html", b"<html></html>", "must be a PDF"),
    ("noext", PDF, "must be a PDF"),
    ("empty.pdf", b"", "is empty"),
])
def test_disguised_or_unsupported_files_are_refused(app, demo, name, content, message):
    with pytest.raises(ValidationFailed) as caught:
        store_upload(upload(name, content), organisation=demo.applicant.organisation, kind="other",
                     actor=demo.applicant)
    assert message in caught.value.message


def test_oversized_file_is_refused(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024 * 1024)
    with pytest.raises(ValidationFailed, match="smaller than 1MB"):
        store_upload(upload("big.png", PNG + b"\x00" * (1024 * 1024)), organisation=demo.applicant.organisation,
                     kind="other", actor=demo.applicant)
