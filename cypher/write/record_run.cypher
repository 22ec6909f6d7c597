// Log entry of one ingest run.  $run_id, $started_at, $info (JSON text).
MERGE (r:IngestRun {run_id: $run_id})
ON CREATE SET r.started_at = $started_at
SET r.info = $info
