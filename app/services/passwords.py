"""Password hashing with argon2id at OWASP strength (argon2-cffi's defaults: 64 MiB, t=3, p=4).

Tests may lower the cost through ARGON2_* config keys; production never sets them.
"""
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    if "ARGON2_MEMORY_COST" in cfg:
        return PasswordHasher(memory_cost=cfg["ARGON2_MEMORY_COST"],
                              time_cost=cfg.get("ARGON2_TIME_COST", 1), parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists: a missing hash still costs a hash."""
    hasher = _hasher()
    if not password_hash:
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- Choosing a password (ASVS 5.0 6.2: length, no common or breached passwords) ---------------

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" (about 10^8+ guesses)
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters decide


def password_problems(password: str, user_inputs=()) -> list[str]:
    """Why a person may not choose ``password`` (empty list: they may).

    Checked offline with zxcvbn's frequency lists (common passwords, names, words, keyboard
    patterns), so nothing about the password leaves the server. ``user_inputs`` (the person's
    name, email) count as known to an attacker. Used where a person types a new password, not
    by demo seeding or test fixtures.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    from zxcvbn import zxcvbn

    inputs = [part for value in user_inputs if value for part in _input_parts(value)]
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs + ["deskflow"])
    if result["score"] >= MIN_PASSWORD_SCORE:
        return []
    return [_weak_message(result["feedback"])]


def _input_parts(value: str) -> list[str]:
    """"ann.lee@example.com" counts whole and as "ann.lee", "annlee", "ann", "lee", "example"."""
    local = value.split("@")[0]
    words = [w for w in re.split(r"[^0-9a-z]+", value.lower()) if len(w) > 2]
    return [value, local, "".join(re.split(r"[^0-9a-z]+", local.lower())), *words]


def _weak_message(feedback: dict) -> str:
    warning = (feedback.get("warning") or "").strip().rstrip(".")
    why = f": {warning[0].lower()}{warning[1:]}." if warning else "."
    advice = " ".join(feedback.get("suggestions") or []) or "Add another word or two. Uncommon words are better."
    return f"This password is too easy to guess{why} {advice}"
