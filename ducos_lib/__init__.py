"""Observatoire qualité de Ducos: ingestion, statistics and reports of the quality programme."""

__version__ = "0.1.0"
