"""Audit: the tamper-evident event chain, faithful replay, verifiable dossiers, privacy tools."""
