"""The domain layer: every business rule lives in exactly one function here. Services change
models, write the audit trail and flush; they never commit and never read the request."""
