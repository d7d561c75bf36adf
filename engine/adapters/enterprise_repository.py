"""SQLAlchemy repository for enterprises (impresa) and their links (impresa_legame)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.adapters import tables
from engine.errors import Conflict, NotFound
from engine.model import Enterprise, EnterpriseLink, Registration


class SqlEnterpriseRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, values: dict[str, Any]) -> int:
        try:
            key = self.conn.execute(insert(tables.impresa).values(**values)).inserted_primary_key
        except IntegrityError as err:
            raise Conflict("an enterprise with this partita IVA or case already exists") from err
        assert key is not None
        return int(key[0])

    def update(self, enterprise_id: int, values: dict[str, Any]) -> None:
        try:
            self.conn.execute(update(tables.impresa).where(tables.impresa.c.id == enterprise_id).values(**values))
        except IntegrityError as err:
            raise Conflict("an enterprise with this partita IVA already exists") from err

    def get(self, enterprise_id: int) -> Enterprise:
        row = self.conn.execute(select(tables.impresa).where(tables.impresa.c.id == enterprise_id)).first()
        if row is None:
            raise NotFound(f"enterprise {enterprise_id} not found")
        return self._enterprise(row._mapping)

    def of_case(self, case_id: int) -> Enterprise | None:
        row = self.conn.execute(select(tables.impresa).where(tables.impresa.c.case_id == case_id)).first()
        return None if row is None else self._enterprise(row._mapping)

    def by_partita_iva(self, partita_iva: str) -> Enterprise | None:
        row = self.conn.execute(select(tables.impresa).where(tables.impresa.c.partita_iva == partita_iva)).first()
        return None if row is None else self._enterprise(row._mapping)

    def all(self, territories: frozenset[str] | None) -> list[Enterprise]:
        query = select(tables.impresa).order_by(tables.impresa.c.denominazione, tables.impresa.c.id)
        if territories is not None:
            query = query.where(tables.impresa.c.territory.in_(sorted(territories)))
        return [self._enterprise(r._mapping) for r in self.conn.execute(query)]

    def add_link(self, values: dict[str, Any]) -> int:
        key = self.conn.execute(insert(tables.impresa_legame).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def update_link(self, link_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(tables.impresa_legame).where(tables.impresa_legame.c.id == link_id).values(**values))

    def links(self, enterprise_id: int) -> list[EnterpriseLink]:
        return [link for _, link in self._links(tables.impresa_legame.c.impresa_id == enterprise_id)]

    def links_of_case(self, case_id: int) -> list[tuple[Enterprise, EnterpriseLink]]:
        """Every current link of a beneficiary case, with its enterprise."""
        return [(self.get(eid), link) for eid, link in self._links(tables.impresa_legame.c.case_id == case_id)]

    def _links(self, where: Any) -> list[tuple[int, EnterpriseLink]]:
        l_, o, c = tables.impresa_legame.c, tables.organisation.c, tables.cases.c
        rows = self.conn.execute(
            select(
                tables.impresa_legame,
                o.code.label("organisation_code"),
                o.name.label("organisation_name"),
                c.title.label("case_title"),
            )
            .outerjoin(tables.organisation, o.id == l_.organisation_id)
            .outerjoin(tables.cases, c.id == l_.case_id)
            .where(where, l_.ended_at.is_(None))
            .order_by(l_.id)
        )
        return [
            (
                r.impresa_id,
                EnterpriseLink(
                    id=r.id,
                    ruolo=r.ruolo,
                    case_id=r.case_id,
                    organisation_code=r.organisation_code,
                    nominativo=r.nominativo,
                    categorie=tuple(r.categorie or ()),
                    evidenza_pa=bool(r.evidenza_pa),
                    data_assunzione=r.data_assunzione,
                    data_cessazione=r.data_cessazione,
                    volontario=bool(r.volontario),
                    added_at=r.added_at,
                    added_by=r.added_by,
                    case_title=r.case_title or "",
                    organisation_name=r.organisation_name or "",
                ),
            )
            for r in rows
        ]

    def end_link(self, link_id: int, at: dt.datetime) -> None:
        self.update_link(link_id, {"ended_at": at})

    @staticmethod
    def _enterprise(m: Any) -> Enterprise:
        return Enterprise(
            id=m["id"],
            case_id=m["case_id"],
            territory=m["territory"],
            denominazione=m["denominazione"],
            forma_giuridica=m["forma_giuridica"],
            regione=m["regione"],
            sede=m["sede"],
            partita_iva=m["partita_iva"],
            codice_ateco=m["codice_ateco"],
            iscrizioni=tuple(Registration(**r) for r in m["iscrizioni"] or ()),
            created_at=m["created_at"],
            created_by=m["created_by"],
        )
