"""One press of a ticket form's Submit or Save draft, with every check run and every message
returned together: the files, what a submission still lacks and the admins' validation rules
(the form's own shape checks are the caller's, who says whether the input may be saved at all).
Nobody fixes one thing only to be told of the next.

Drafts keep what people type, but only what they typed: a blank form, saved or refused, leaves
no "Untitled" draft behind. A draft that exists is always saved, even emptied.

Each function flushes and never commits: the caller commits the draft it gets back (a refused
submission keeps its draft), or rolls back when there is none.
"""
from dataclasses import dataclass, field

from app.models import CatalogItem, Channel, Team, Ticket, User
from app.services import catalog, tickets
from app.services.attachments import attach_files, real_uploads, upload_errors
from app.services.catalog_forms import item_specs
from app.services.errors import DomainError, ValidationFailed

NOTHING_TO_SAVE = "There is nothing to save yet: type something or choose a file first."


@dataclass
class Outcome:
    """``ticket``: the draft saved (or the ticket filed), None when nothing was kept.
    ``errors``: every message by form field name ("__all__" for the form as a whole); empty
    when all went through. ``status``: the HTTP status of a refusal."""

    ticket: Ticket | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 422


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> dict[str, list[str]]:
    for name, messages in more.items():
        errors.setdefault(name, []).extend(m for m in messages if m not in errors[name])
    return errors


def _submitted(outcome: Outcome, actor: User) -> Outcome:
    """Submit the saved draft; a refusal comes back as the outcome's errors, the draft kept."""
    try:
        tickets.submit_ticket(outcome.ticket, actor)
    except DomainError as error:
        outcome.errors = dict(error.field_errors) or {"__all__": [error.message]}
        outcome.status = error.status_code
    return outcome


def portal_form(author: User, data: tickets.TicketInput, uploads, *, draft: Ticket | None = None,
                expected_version: int | None = None, submit: bool = False,
                can_save: bool = True) -> Outcome:
    """The portal's ticket form. ``can_save`` is False when the form itself refused the input:
    nothing is saved then, but the files and the submission are still checked. Raises Conflict
    when ``expected_version`` is stale."""
    errors = {"attachments": bad} if (bad := upload_errors(uploads)) else {}
    typed = tickets.has_content(data, author) or bool(real_uploads(uploads) and not errors)
    if not can_save or (draft is None and not typed):
        if submit:
            _merge(errors, tickets.submission_refusals(lambda: tickets.save_draft(author, data, draft)))
        elif can_save and not errors:
            errors["__all__"] = [NOTHING_TO_SAVE]
        return Outcome(None, errors)
    saved = tickets.save_draft(author, data, draft, expected_version)
    if errors:  # the text is kept; the files are not, so nor is the submission
        if submit:
            _merge(errors, tickets.submission_refusals(lambda: saved))
        return Outcome(saved, errors)
    attach_files(saved, author, uploads)
    return _submitted(Outcome(saved), author) if submit else Outcome(saved)


def catalog_form(author: User, item: CatalogItem, answers: dict, uploads: dict, *,
                 draft: Ticket | None = None, expected_version: int | None = None, notes: str = "",
                 submit: bool = False, can_save: bool = True) -> Outcome:
    """A catalog item's form: ``answers`` raw as posted, ``uploads`` by file field key.
    ``can_save`` as in ``portal_form``. Raises Conflict when ``expected_version`` is stale."""
    errors = catalog.file_errors(uploads)
    files = any(real_uploads(u) for u in uploads.values()) and not errors
    typed = catalog.has_answers(item_specs(item), answers, notes) or files
    if not can_save or (draft is None and not typed):
        if submit:
            _merge(errors, tickets.submission_refusals(lambda: catalog.save_catalog_draft(
                author, item, answers, {}, draft, notes=notes)))
        elif can_save and not errors:
            errors["__all__"] = [NOTHING_TO_SAVE]
        return Outcome(None, errors)
    try:  # files already refused are not stored at all (they would be written, then rolled back)
        saved = catalog.save_catalog_draft(author, item, answers, {} if errors else uploads, draft,
                                           expected_version, notes=notes)
    except catalog.FilesRefused as refused:  # a file the check passed, refused as it was stored
        saved, errors = refused.draft, dict(refused.field_errors)
    if errors:  # the answers are kept; the files are not, so nor is the submission
        if submit:
            _merge(errors, tickets.submission_refusals(lambda: saved))
        return Outcome(saved, errors)
    return _submitted(Outcome(saved), author) if submit else Outcome(saved)


def on_behalf_form(data: tickets.TicketInput, uploads, *, requester: User | None, created_by: User,
                   channel: Channel, team: Team | None = None, can_file: bool = True) -> Outcome:
    """A ticket an agent files for someone (or for IT's own work) in one step: filed with its
    files when nothing refuses it, else nothing is kept and every refusal comes back.
    ``can_file`` is False when the form itself refused the input."""
    errors = {"attachments": bad} if (bad := upload_errors(uploads)) else {}
    if can_file and not errors:
        try:
            ticket = tickets.create_ticket(data, requester=requester, created_by=created_by,
                                           channel=channel, team=team)
        except ValidationFailed as error:
            return Outcome(None, dict(error.field_errors) or {"__all__": [error.message]})
        attach_files(ticket, created_by, uploads)
        return Outcome(ticket)
    return Outcome(None, _merge(errors, tickets.filing_refusals(
        data, requester=requester, created_by=created_by, channel=channel)))
