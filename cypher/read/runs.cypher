MATCH (r:IngestRun)
RETURN r.run_id AS run_id, r.started_at AS started_at, r.info AS info
ORDER BY started_at DESC, run_id DESC
LIMIT $limit
