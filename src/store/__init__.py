"""What touches the event store: recorders, group commit, the writer bound, roles,
snapshots, owned-version checks and the catalogue cache (below application, above domain)."""
