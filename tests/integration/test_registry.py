"""The network of interlocutors: organisations serving several territories, with checked tax codes;
protocols with parties, signatories, status, clauses and hash-stamped documents; the registry log."""

from __future__ import annotations

import hashlib

import pytest

from engine import Actor, Engine, errors
from engine.clock import FixedClock
from engine.model import Member, ProtocolTerms
from engine.policy import CLI_OPERATOR

COORD = Actor("carla", frozenset({"coordinatore"}))
COORD_T1 = Actor("cora", frozenset({"coordinatore"}), grants=frozenset({("coordinatore", "T1")}))
# valid check digits: an entity's codice fiscale (11 digits) and a partita IVA
CF_CPI = "80003170661"
PIVA_COOP = "00743110157"


@pytest.fixture
def network(engine: Engine) -> Engine:
    engine.users.add("paolo", "Paolo", [("operatore_cpi", "T1")], actor=CLI_OPERATOR)
    engine.users.add("bice", "Bice", [("referente_ente_partner", "T1")], actor=CLI_OPERATOR)
    engine.registry.add_organisation(
        "CPI_T1", "Centro per l'Impiego di T1", "centro_impiego", ["T1", "T2"], actor=COORD, tax_code=CF_CPI
    )
    engine.registry.add_organisation(
        "COOP_B", "Cooperativa sociale Il Ponte", "terzo_settore", "T1", actor=COORD, vat_number=PIVA_COOP
    )
    engine.registry.add_member("CPI_T1", "paolo", actor=COORD, position="operatore collocamento mirato")
    engine.registry.add_member("COOP_B", "bice", actor=COORD, position="presidente")
    return engine


def test_organisations_serve_many_territories_and_carry_checked_tax_codes(network: Engine) -> None:
    network.registry.add_organisation("ASL_T2", "ASL di T2", "servizio_sanitario", "T2", actor=COORD)
    cpi = network.registry.organisation("CPI_T1", actor=COORD)
    assert cpi.territories == ("T1", "T2") and cpi.tax_code == CF_CPI
    assert cpi.members == (Member(username="paolo", position="operatore collocamento mirato", display_name="Paolo"),)
    assert [o.code for o in network.registry.organisations(territory="T2", actor=COORD)] == ["ASL_T2", "CPI_T1"]
    assert [o.code for o in network.registry.organisations(territory="T1", actor=COORD)] == ["CPI_T1", "COOP_B"]
    # a reader of T1 only never sees T2's organisations
    assert [o.code for o in network.registry.organisations(actor=COORD_T1)] == ["CPI_T1", "COOP_B"]
    updated = network.registry.update_organisation(
        "COOP_B", "Il Ponte scs", "terzo_settore", ["T1", "T3"], actor=COORD, vat_number=PIVA_COOP
    )
    assert updated.territories == ("T1", "T3") and updated.name == "Il Ponte scs"


def test_bad_organisation_input_gets_italian_field_messages(network: Engine) -> None:
    with pytest.raises(errors.InvalidData) as exc:
        network.registry.add_organisation(
            "cpi t1", "", "circolo", [" "], actor=COORD, tax_code="80003170662", vat_number="123"
        )
    assert set(exc.value.messages) == {"code", "kind", "name", "territories", "tax_code", "vat_number"}
    assert "Codice fiscale non valido" in exc.value.messages["tax_code"][0]
    with pytest.raises(errors.Conflict):
        network.registry.add_organisation("CPI_T1", "CPI", "centro_impiego", "T1", actor=COORD)
    with pytest.raises(errors.RegistryConflict) as conflict:
        network.registry.add_organisation("ALTRO", "Altro", "istituzione", "T1", actor=COORD, tax_code=CF_CPI)
    assert "CPI_T1" in conflict.value.messages["tax_code"][0]
    # a coordinator of T1 cannot register an organisation serving T2, nor an auditor anything
    with pytest.raises(errors.Forbidden):
        network.registry.add_organisation("UEPE", "UEPE", "giustizia", ["T1", "T2"], actor=COORD_T1)
    with pytest.raises(errors.Forbidden):
        network.registry.add_organisation("X", "X", "istituzione", "T1", actor=Actor("a", frozenset({"auditor"})))


def test_a_protocol_is_drafted_signed_by_members_and_activated(network: Engine, clock: FixedClock) -> None:
    protocol_id = network.registry.add_protocol(
        "CPI_T1",
        "protocollo_intesa",
        "Invii e presa in carico congiunta",
        "2026-01-01",
        actor=COORD,
        expires_on="2026-12-31",
        parties=["COOP_B"],
        territory="T1",
        renewal_clause="Rinnovo espresso per un anno",
        withdrawal_clause="Recesso con preavviso scritto",
        withdrawal_notice_days=60,
    )
    draft = network.registry.protocol(protocol_id, actor=COORD)
    assert draft.status == "bozza" and {p.code for p in draft.parties} == {"CPI_T1", "COOP_B"}
    assert network.registry.protocols(active=True, actor=COORD) == []
    # a signatory who is not a member of the party it signs for; a party that has not signed
    with pytest.raises(errors.InvalidData) as exc:
        network.registry.sign_protocol(
            protocol_id, "Prot. 12/2026", "2025-12-20", [("CPI_T1", "bice"), ("COOP_B", "bice")], actor=COORD
        )
    assert "bice (Centro per l'Impiego di T1)" in exc.value.messages["signatories"][0]
    with pytest.raises(errors.InvalidData) as exc:
        network.registry.sign_protocol(protocol_id, "Prot. 12/2026", "2025-12-20", [("CPI_T1", "paolo")], actor=COORD)
    assert "Cooperativa sociale Il Ponte" in exc.value.messages["signatories"][0]
    # not yet signed: cannot come into force
    with pytest.raises(errors.RegistryConflict):
        network.registry.activate_protocol(protocol_id, actor=COORD)
    signed = network.registry.sign_protocol(
        protocol_id, "Prot. 12/2026", "2025-12-20", [("CPI_T1", "paolo"), ("COOP_B", "bice")], actor=COORD
    )
    assert (signed.status, signed.number, signed.signed_on) == ("firmato", "Prot. 12/2026", "2025-12-20")
    assert {(s.username, s.organisation_code) for s in signed.signatories} == {("paolo", "CPI_T1"), ("bice", "COOP_B")}
    # signed terms are frozen
    with pytest.raises(errors.RegistryConflict):
        network.registry.update_protocol(
            protocol_id, ProtocolTerms("convenzione", "x", "2026-01-01", territory="T1"), actor=COORD
        )
    network.registry.activate_protocol(protocol_id, actor=COORD)
    assert [p.id for p in network.registry.protocols(active=True, territory="T1", actor=COORD)] == [protocol_id]
    assert [p.id for p in network.registry.protocols(organisation="COOP_B", actor=COORD)] == [protocol_id]
    kinds = [e.kind for e in network.registry.protocol_history(protocol_id, actor=COORD)]
    assert kinds == ["protocol_added", "protocol_signed", "protocol_status"]
    assert all(e.actor == "carla" for e in network.registry.protocol_history(protocol_id, actor=COORD))


def test_bad_protocol_input_and_overlaps_between_the_same_parties(network: Engine) -> None:
    with pytest.raises(errors.InvalidData) as exc:
        network.registry.add_protocol(
            "CPI_T1", "accordo", "", "2026-05-01", actor=COORD, expires_on="2026-01-01", parties=["NESSUNO"]
        )
    # the CPI serves two territories: the protocol's must be named
    assert set(exc.value.messages) == {"kind", "scope", "expires_on", "parties", "territory"}
    assert exc.value.messages["expires_on"] == ["La scadenza deve essere successiva all'inizio."]
    with pytest.raises(errors.InvalidData) as exc:
        network.registry.add_protocol("COOP_B", "convenzione", "x", "2026-01-01", actor=COORD, territory="T2")
    assert "territory" in exc.value.messages
    first = network.registry.add_protocol(
        "COOP_B", "convenzione", "Tirocini", "2026-01-01", actor=COORD, expires_on="2026-12-31", parties=["CPI_T1"]
    )
    with pytest.raises(errors.RegistryConflict) as conflict:
        network.registry.add_protocol(
            "CPI_T1", "protocollo_intesa", "Altro", "2026-06-01", actor=COORD, territory="T1", parties=["COOP_B"]
        )
    assert "starts_on" in conflict.value.messages
    # after the first one ends, or between other parties, a protocol is fine
    network.registry.add_protocol(
        "CPI_T1", "protocollo_intesa", "Seguito", "2027-01-01", actor=COORD, territory="T1", parties=["COOP_B"]
    )
    network.registry.add_protocol("COOP_B", "convenzione", "Da sola", "2026-06-01", actor=COORD)
    assert first


def test_documents_are_stored_with_their_hash(network: Engine) -> None:
    protocol_id = network.registry.add_protocol("COOP_B", "convenzione", "Tirocini", "2026-01-01", actor=COORD)
    content = b"%PDF-1.7 testo firmato"
    stored = network.registry.add_document(protocol_id, "convenzione.pdf", "application/pdf", content, actor=COORD)
    assert stored.sha256 == hashlib.sha256(content).hexdigest() and stored.size == len(content)
    meta, back = network.registry.document(protocol_id, stored.id, actor=COORD)
    assert back == content and meta.name == "convenzione.pdf"
    assert network.registry.protocol(protocol_id, actor=COORD).documents == (meta,)
    logged = network.registry.protocol_history(protocol_id, actor=COORD)[-1]
    assert logged.kind == "document_added" and logged.data["sha256"] == stored.sha256
    with pytest.raises(errors.InvalidData):
        network.registry.add_document(protocol_id, "vuoto.pdf", "application/pdf", b"", actor=COORD)
    with pytest.raises(errors.NotFound):
        network.registry.document(protocol_id, stored.id + 99, actor=COORD)
