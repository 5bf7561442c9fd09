"""Uploaded files: checked by content (not by name), stored outside static/ under random names."""
from __future__ import annotations

import hashlib
import os
import secrets

import filetype
from flask import current_app, send_file
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..models import Application, Attachment, AttachmentKind, Organisation, Report, User
from . import audit
from .errors import ValidationFailed

# What each allowed extension must really contain, judged from the file's bytes.
ALLOWED = {
    "pdf": {"application/pdf"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    "odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ALLOWED_DESCRIPTION = "PDF, Word (DOCX), Excel (XLSX), OpenDocument, JPG or PNG"
# Markup that browsers would run if the file were ever rendered inline.
_ACTIVE_MARKERS = (b"<html", b"<!doctype html", b"<svg", b"<script", b"<?xml")


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_upload(upload: FileStorage | None, *, field: str = "file") -> tuple[bytes, str, str]:
    """Read and check one upload. Returns (content, extension, content_type) or raises ValidationFailed."""
    if upload is None or not upload.filename:
        raise ValidationFailed({field: "Select a file"})
    filename = upload.filename
    ext = _extension(filename)
    if ext not in ALLOWED:
        raise ValidationFailed({field: f"The selected file must be a {ALLOWED_DESCRIPTION}"})
    limit = int(current_app.config["MAX_UPLOAD_BYTES"])
    content = upload.stream.read(limit + 1)
    if len(content) == 0:
        raise ValidationFailed({field: "The selected file is empty"})
    if len(content) > limit:
        raise ValidationFailed({field: f"The selected file must be smaller than {limit // (1024 * 1024)}MB"})
    kind = filetype.guess(content)
    head = content[:1024].lstrip().lower()
    if kind is None or kind.mime not in ALLOWED[ext] or any(m in head for m in _ACTIVE_MARKERS):
        raise ValidationFailed({field: f"The selected file is not a real {ext.upper()} file. "
                                       f"Upload a {ALLOWED_DESCRIPTION}"})
    return content, ext, CONTENT_TYPES[ext]


def _clean_filename(filename: str) -> str:
    name = os.path.basename(filename.replace("\\", "/")).strip()
    return "".join(ch for ch in name if ch.isprintable())[:200] or "file"


def store_upload(upload: FileStorage | None, *, organisation: Organisation, kind: str, actor: User,
                 application: Application | None = None, report: Report | None = None,
                 field: str = "file") -> Attachment:
    """Check an upload and keep it for this organisation (and application or report).

    The stored name is random, so a file's name can never reach a path or URL.
    """
    if kind not in AttachmentKind.LABELS:
        raise ValidationFailed({field: "Choose what kind of document this is"})
    content, ext, content_type = check_upload(upload, field=field)
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, stored_name), "xb") as handle:
        handle.write(content)
    attachment = Attachment(
        organisation_id=organisation.id,
        application_id=application.id if application is not None else (report.application_id if report else None),
        report_id=report.id if report is not None else None,
        kind=kind,
        original_filename=_clean_filename(upload.filename),
        stored_name=stored_name,
        content_type=content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record("attachment.uploaded", actor=actor, entity=attachment, application=application,
                 after={"kind": kind, "filename": attachment.original_filename, "sha256": attachment.sha256,
                        "size_bytes": attachment.size_bytes, "report_id": attachment.report_id})
    return attachment


def remove_attachment(attachment: Attachment, *, actor: User) -> None:
    """Hide a file from a draft; the record and bytes are kept for the audit trail."""
    from .. import clock

    attachment.removed_at = clock.now()
    audit.record("attachment.removed", actor=actor, entity=attachment, application=attachment.application,
                 before={"filename": attachment.original_filename})


def send_attachment(attachment: Attachment):
    """Always a download (never rendered inline), with the content type we verified."""
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], attachment.stored_name)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
