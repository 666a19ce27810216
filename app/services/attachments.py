"""Storing uploaded files safely.

The type is sniffed from the bytes (never trusted from the name or the browser), the size is
capped, and the bytes are stored under ``UPLOAD_FOLDER/ab/abcdef…`` by SHA-256: the uploader's
file name never reaches the file system, so a name like ``../../etc/passwd`` is only text.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app.extensions import db
from app.models import Attachment, Comment, Ticket, User
from app.services.audit import record_event
from app.services.errors import ValidationFailed

# Sniffed MIME types we accept: screenshots, documents, archives of logs.
ALLOWED_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip",
    "application/gzip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Plain text has no magic number: accepted when it decodes as UTF-8 and is named as text.
TEXT_EXTENSIONS = {".txt", ".log", ".csv", ".md", ".json", ".xml", ".yaml", ".yml", ".conf", ".ini"}


@dataclass
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def format_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _sniff(data: bytes, filename: str) -> str | None:
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_TYPES else None
    if Path(filename).suffix.lower() in TEXT_EXTENSIONS:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def display_name(raw: str | None) -> str:
    """A harmless name to show and to offer on download."""
    return secure_filename(raw or "")[:200] or "attachment"


def storage_path(sha256: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / sha256[:2] / sha256


def _read_checked(upload: FileStorage) -> tuple[bytes, str, str]:
    """(bytes, shown name, sniffed type) of one upload, or ValidationFailed naming the file and
    the reason."""
    cap = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.stream.read(cap + 1)
    name = display_name(upload.filename)
    if not data:
        raise ValidationFailed(f"{name} is empty.", {"attachments": [f"{name} is empty."]})
    if len(data) > cap:
        msg = f"{name} is larger than the {format_bytes(cap)} limit."
        raise ValidationFailed(msg, {"attachments": [msg]})
    content_type = _sniff(data, name)
    if content_type is None:
        msg = (f"{name}: this type of file is not accepted. Attach images, PDF, Office "
               "documents, text or log files, or zip archives.")
        raise ValidationFailed(msg, {"attachments": [msg]})
    return data, name, content_type


def _check_all(files) -> tuple[list[tuple[bytes, str, str]], list[str]]:
    """Every upload read and checked once: what passed (as ``_read_checked`` returns it) and one
    message for each that did not. Each stream is rewound, so the uploads can be read again."""
    checked, messages = [], []
    for upload in real_uploads(files):
        try:
            checked.append(_read_checked(upload))
        except ValidationFailed as error:
            messages.append(error.message)
        finally:
            upload.stream.seek(0)
    return checked, messages


def upload_errors(files) -> list[str]:
    """One message for each upload that would be refused, storing nothing: a form can then
    report a bad file together with everything else that is wrong, in one round."""
    return _check_all(files)[1]


def _store(data: bytes, name: str, content_type: str) -> StoredFile:
    """Write checked bytes under their digest (once: equal files share one copy)."""
    digest = hashlib.sha256(data).hexdigest()
    path = storage_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # atomic: a reader never sees half a file
    return StoredFile(name, content_type, len(data), digest)


def real_uploads(files) -> list[FileStorage]:
    """The file inputs that actually carry a file (browsers send an empty part otherwise)."""
    return [f for f in (files or []) if f and f.filename]


def attach_files(ticket: Ticket, uploader: User, files, comment: Comment | None = None) -> list[Attachment]:
    """Check every upload first (one bad file refuses them all, and every bad one is named in
    the one ValidationFailed), then store and record them. Each file is read and checked once:
    what the check read is what gets stored."""
    checked, refused = _check_all(files)
    if refused:
        raise ValidationFailed(" ".join(refused), {"attachments": refused})
    stored = [_store(*parts) for parts in checked]
    attachments = []
    for s in stored:
        attachment = Attachment(ticket_id=ticket.id, comment=comment, uploaded_by_id=uploader.id,
                                filename=s.filename, content_type=s.content_type, size=s.size,
                                sha256=s.sha256)
        db.session.add(attachment)
        attachments.append(attachment)
        if not ticket.is_draft:
            record_event(ticket, uploader, "attachment_added", field="attachment", new=s.filename)
    return attachments
