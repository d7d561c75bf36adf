"""SQLAlchemy repository for the network of interlocutors: organisations and the territories they
serve, their people, protocols with their parties, signatories and documents, and the registry log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from engine.adapters import tables
from engine.errors import Conflict, NotFound
from engine.model import (
    Member,
    Organisation,
    PartnerProtocol,
    Party,
    ProtocolDocument,
    RegistryEvent,
    Signatory,
)


class SqlRegistryRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- organisations ---------------------------------------------------------------------

    def add_organisation(self, values: dict[str, Any], territories: Sequence[str]) -> int:
        if self.conn.execute(
            select(tables.organisation.c.id).where(tables.organisation.c.code == values["code"])
        ).first():
            raise Conflict(f"organisation {values['code']!r} already exists")
        key = self.conn.execute(insert(tables.organisation).values(**values)).inserted_primary_key
        assert key is not None
        self.set_territories(int(key[0]), territories)
        return int(key[0])

    def update_organisation(self, organisation_id: int, values: dict[str, Any], territories: Sequence[str]) -> None:
        self.conn.execute(
            update(tables.organisation).where(tables.organisation.c.id == organisation_id).values(**values)
        )
        self.set_territories(organisation_id, territories)

    def set_territories(self, organisation_id: int, territories: Sequence[str]) -> None:
        t = tables.organisation_territory
        self.conn.execute(delete(t).where(t.c.organisation_id == organisation_id))
        for territory in dict.fromkeys(territories):
            self.conn.execute(insert(t).values(organisation_id=organisation_id, territory=territory))

    def tax_code_holder(self, tax_code: str) -> str | None:
        o = tables.organisation.c
        row = self.conn.execute(select(o.code).where(o.tax_code == tax_code)).first()
        return None if row is None else str(row[0])

    def _territories(self, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        t = tables.organisation_territory.c
        found: dict[int, list[str]] = {}
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self.conn.execute(
            select(t.organisation_id, t.territory).where(t.organisation_id.in_(wanted)).order_by(t.territory)
        )
        for organisation_id, territory in rows:
            found.setdefault(int(organisation_id), []).append(str(territory))
        return {k: tuple(v) for k, v in found.items()}

    def _organisations(self, rows: Sequence[Any]) -> list[Organisation]:
        territories = self._territories(int(r.id) for r in rows)
        return [Organisation(**r._mapping, territories=territories.get(int(r.id), ())) for r in rows]

    def organisation(self, code: str) -> Organisation:
        rows = self.conn.execute(select(tables.organisation).where(tables.organisation.c.code == code)).all()
        if not rows:
            raise NotFound(f"organisation {code!r} not found")
        return self._organisations(rows)[0]

    def organisation_by_id(self, organisation_id: int) -> Organisation:
        rows = self.conn.execute(select(tables.organisation).where(tables.organisation.c.id == organisation_id)).all()
        if not rows:
            raise NotFound(f"organisation {organisation_id} not found")
        return self._organisations(rows)[0]

    def organisation_id(self, code: str) -> int | None:
        row = self.conn.execute(select(tables.organisation.c.id).where(tables.organisation.c.code == code)).first()
        return None if row is None else int(row[0])

    def organisations(
        self, kind: str | None = None, territory: str | None = None, territories: Sequence[str] | None = None
    ) -> list[Organisation]:
        """Organisations by kind and served territory; ``territories`` limits them to those serving one
        of the given territories (what an actor may read)."""
        o, t = tables.organisation.c, tables.organisation_territory.c
        query = select(tables.organisation).order_by(o.name, o.code)
        if kind:
            query = query.where(o.kind == kind)
        if territory:
            query = query.where(o.id.in_(select(t.organisation_id).where(t.territory == territory)))
        if territories is not None:
            query = query.where(o.id.in_(select(t.organisation_id).where(t.territory.in_(list(territories)))))
        return self._organisations(self.conn.execute(query).all())

    def add_member(self, organisation_id: int, username: str, position: str) -> None:
        if self.is_member(organisation_id, username):
            raise Conflict(f"{username} is already a member")
        try:
            self.conn.execute(
                insert(tables.organisation_member).values(
                    organisation_id=organisation_id, username=username, position=position
                )
            )
        except IntegrityError as err:
            raise Conflict(f"{username} is already a member, or is not a user") from err

    def members(self, organisation_id: int) -> list[Member]:
        m, u = tables.organisation_member.c, tables.app_user.c
        rows = self.conn.execute(
            select(m.username, m.position, u.display_name)
            .join(tables.app_user, u.username == m.username)
            .where(m.organisation_id == organisation_id)
            .order_by(m.username)
        )
        return [Member(**r._mapping) for r in rows]

    def is_member(self, organisation_id: int, username: str) -> bool:
        m = tables.organisation_member.c
        query = select(m.username).where(m.organisation_id == organisation_id, m.username == username)
        return self.conn.execute(query).first() is not None

    # --- protocols -------------------------------------------------------------------------

    def add_protocol(self, values: dict[str, Any], party_ids: Sequence[int] = ()) -> int:
        key = self.conn.execute(insert(tables.protocol).values(**values)).inserted_primary_key
        assert key is not None
        protocol_id = int(key[0])
        self.set_parties(protocol_id, [values["organisation_id"], *party_ids])
        return protocol_id

    def update_protocol(self, protocol_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(tables.protocol).where(tables.protocol.c.id == protocol_id).values(**values))

    def set_parties(self, protocol_id: int, organisation_ids: Sequence[int]) -> None:
        p = tables.protocol_party
        self.conn.execute(delete(p).where(p.c.protocol_id == protocol_id))
        for organisation_id in dict.fromkeys(organisation_ids):
            self.conn.execute(insert(p).values(protocol_id=protocol_id, organisation_id=organisation_id))

    def set_signatories(self, protocol_id: int, signatories: Sequence[tuple[int, str, str]]) -> None:
        """``signatories``: (organisation id, username, day signed)."""
        s = tables.protocol_signatory
        self.conn.execute(delete(s).where(s.c.protocol_id == protocol_id))
        for organisation_id, username, signed_on in signatories:
            self.conn.execute(
                insert(s).values(
                    protocol_id=protocol_id, organisation_id=organisation_id, username=username, signed_on=signed_on
                )
            )

    def add_document(self, values: dict[str, Any]) -> int:
        key = self.conn.execute(insert(tables.protocol_document).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def document_content(self, protocol_id: int, document_id: int) -> tuple[ProtocolDocument, bytes]:
        d = tables.protocol_document.c
        row = self.conn.execute(
            select(tables.protocol_document).where(d.id == document_id, d.protocol_id == protocol_id)
        ).first()
        if row is None:
            raise NotFound(f"document {document_id} not found")
        values = dict(row._mapping)
        content = bytes(values.pop("content"))
        return ProtocolDocument(**values), content

    def _protocol_query(self) -> Any:
        p, o = tables.protocol.c, tables.organisation.c
        return select(tables.protocol, o.code.label("organisation_code"), o.name.label("organisation_name")).join(
            tables.organisation, o.id == p.organisation_id
        )

    def protocol(self, protocol_id: int) -> PartnerProtocol:
        rows = self.conn.execute(self._protocol_query().where(tables.protocol.c.id == protocol_id)).all()
        if not rows:
            raise NotFound(f"protocol {protocol_id} not found")
        return self._complete(rows)[0]

    def protocols(
        self,
        territory: str | None = None,
        active_on: str | None = None,
        expiring_by: str | None = None,
        *,
        territories: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        organisation_id: int | None = None,
    ) -> list[PartnerProtocol]:
        p = tables.protocol.c
        query = self._protocol_query().order_by(p.territory, p.expires_on, p.id)
        if territory:
            query = query.where(p.territory == territory)
        if territories is not None:
            query = query.where(p.territory.in_(list(territories)))
        if statuses is not None:
            query = query.where(p.status.in_(list(statuses)))
        if organisation_id is not None:
            parties = tables.protocol_party.c
            query = query.where(p.id.in_(select(parties.protocol_id).where(parties.organisation_id == organisation_id)))
        if active_on:
            query = query.where(p.starts_on <= active_on, or_(p.expires_on.is_(None), p.expires_on >= active_on))
        if expiring_by:
            query = query.where(p.expires_on.is_not(None), p.expires_on <= expiring_by)
        return self._complete(self.conn.execute(query).all())

    def _complete(self, rows: Sequence[Any]) -> list[PartnerProtocol]:
        """Attach parties, signatories and documents (three queries for the whole list)."""
        ids = [int(r.id) for r in rows]
        if not ids:
            return []
        pp, o = tables.protocol_party.c, tables.organisation.c
        parties: dict[int, list[Party]] = {}
        for r in self.conn.execute(
            select(pp.protocol_id, o.id, o.code, o.name)
            .join(tables.organisation, o.id == pp.organisation_id)
            .where(pp.protocol_id.in_(ids))
            .order_by(o.name)
        ):
            parties.setdefault(int(r[0]), []).append(Party(int(r[1]), str(r[2]), str(r[3])))
        s, u = tables.protocol_signatory.c, tables.app_user.c
        signatories: dict[int, list[Signatory]] = {}
        for r in self.conn.execute(
            select(s.protocol_id, s.username, u.display_name, o.code, s.signed_on)
            .join(tables.app_user, u.username == s.username)
            .join(tables.organisation, o.id == s.organisation_id)
            .where(s.protocol_id.in_(ids))
            .order_by(o.code, s.username)
        ):
            signatories.setdefault(int(r[0]), []).append(Signatory(str(r[1]), str(r[2]), str(r[3]), str(r[4])))
        d = tables.protocol_document.c
        documents: dict[int, list[ProtocolDocument]] = {}
        columns = [c for c in tables.protocol_document.c if c.name != "content"]
        for r in self.conn.execute(select(*columns).where(d.protocol_id.in_(ids)).order_by(d.id)):
            documents.setdefault(int(r.protocol_id), []).append(ProtocolDocument(**r._mapping))
        return [
            PartnerProtocol(
                **r._mapping,
                parties=tuple(parties.get(int(r.id), ())),
                signatories=tuple(signatories.get(int(r.id), ())),
                documents=tuple(documents.get(int(r.id), ())),
            )
            for r in rows
        ]

    # --- the registry log ------------------------------------------------------------------

    def log(
        self,
        at: dt.datetime,
        actor: str,
        kind: str,
        data: dict[str, Any],
        *,
        organisation_id: int | None = None,
        protocol_id: int | None = None,
    ) -> None:
        self.conn.execute(
            insert(tables.registry_event).values(
                at=at, actor=actor, kind=kind, data=data, organisation_id=organisation_id, protocol_id=protocol_id
            )
        )

    def events(self, *, organisation_id: int | None = None, protocol_id: int | None = None) -> list[RegistryEvent]:
        e = tables.registry_event.c
        query = select(tables.registry_event).order_by(e.id)
        if organisation_id is not None:
            query = query.where(e.organisation_id == organisation_id)
        if protocol_id is not None:
            query = query.where(e.protocol_id == protocol_id)
        return [RegistryEvent(**r._mapping) for r in self.conn.execute(query)]

    # --- cases that rely on a protocol ---------------------------------------------------------

    def dependent_cases(self, territory: str, organisation_ids: Sequence[int]) -> list[tuple[int, int, str]]:
        """Running cases of ``territory`` whose current team names one of the organisations:
        (case id, organisation id, relation), oldest first."""
        t, c = tables.case_team.c, tables.cases.c
        rows = self.conn.execute(
            select(t.case_id, t.organisation_id, t.relation)
            .join(tables.cases, c.id == t.case_id)
            .where(
                c.territory == territory,
                c.status.in_(["running", "suspended"]),
                t.ended_at.is_(None),
                t.organisation_id.in_(list(organisation_ids)),
            )
            .order_by(t.case_id, t.id)
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]
