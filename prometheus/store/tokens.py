"""API tokens (only a SHA-256 of each is stored), part of the one repository (`Store`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from prometheus.core.bounds import check_text
from prometheus.errors import ValidationFailed
from prometheus.store.base import StoreBase
from prometheus.store.mapping import new_id
from prometheus.store.tables import ApiTokenRow

MAX_NAME = ApiTokenRow.name.type.length  # as the table holds it


@dataclass(frozen=True)
class StoredToken:
    """A token as stored: never the token itself."""

    name: str
    scopes: list[str]
    revoked: bool


class Tokens(StoreBase):
    """Tokens of the Store."""

    def active_token_count(self) -> int:
        return self.session.scalar(select(func.count()).where(ApiTokenRow.revoked.is_(False))) or 0

    def token_by_hash(self, digest: str) -> StoredToken | None:
        row = self.session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest))
        return None if row is None else StoredToken(row.name, list(row.scopes), row.revoked)

    def create_token(self, name: str, digest: str, scopes: list[str]) -> None:
        """Store a token's hash under a name; LookupError if the name is taken, ValidationFailed if it is
        no name (empty, longer than its column, or holding a NUL or a lone surrogate: PostgreSQL refused
        one too long with an unexpected DataError that SQLite stored, and a surrogate failed the write)."""
        if not 1 <= len(name) <= MAX_NAME:
            raise ValidationFailed(f"a token's name has 1 to {MAX_NAME} characters")
        try:
            check_text(name, "a token's name")
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from None
        if self.session.scalar(select(ApiTokenRow).where(ApiTokenRow.name == name)) is not None:
            raise LookupError(f"a token named {name!r} exists — pick another name, or revoke it first")
        self.session.add(
            ApiTokenRow(id=new_id(), name=name, token_hash=digest, scopes=sorted(set(scopes)), revoked=False)
        )
        self.session.flush()

    def list_tokens(self) -> list[StoredToken]:
        rows = self.session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.name))
        return [StoredToken(r.name, list(r.scopes), r.revoked) for r in rows]

    def revoke_token(self, name: str) -> bool:
        """Revoke the token named so; whether there was one."""
        stmt = update(ApiTokenRow).where(ApiTokenRow.name == name).values(revoked=True)
        return bool(self.session.execute(stmt).rowcount)
