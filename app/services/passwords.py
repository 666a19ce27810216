"""Password hashing with argon2id at OWASP strength (argon2-cffi's defaults: 64 MiB, t=3, p=4).

Tests may lower the cost through ARGON2_* config keys; production never sets them.
"""
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
