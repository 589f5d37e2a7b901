"""Ingestion: sources (files, HTTP push, NATS JetStream, Spark backfills), posts keyed by (source, external
id), scanning once per model version, dead letters. Turns ScanResults into records through the services of
the apps (alerts)."""
