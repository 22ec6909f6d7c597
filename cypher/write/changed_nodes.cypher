// The read step of a node write: which of the given nodes are already stored exactly so.
// $rows: [{id, label, props}] (folded, sorted by id), $ignored: keys left out of the
// comparison (run_id).  Returns ONE record: `same`, the row indexes whose stored label and
// values equal the given ones, and `changed`, [{i, label, props}] of the other stored rows.
// Rows absent from both are new.  One aggregated record instead of a record per stored node:
// re-ingesting unchanged data then sends back a list of integers, not every property map.
// The comparison is exact; the caller re-checks `changed` with the store's own tolerant diff.
UNWIND range(0, size($rows) - 1) AS i
WITH i, $rows[i] AS row
MATCH (n:Entity {id: row.id})
WITH i, row, n, [l IN labels(n) WHERE l <> 'Entity'][0] AS label
WITH i, n, label, coalesce(
  label = row.label
  AND all(k IN keys(row.props) WHERE k IN $ignored OR coalesce(n[k] = row.props[k], false)),
  false) AS same
RETURN collect(CASE WHEN same THEN i END) AS same,
       collect(CASE WHEN NOT same THEN {i: i, label: label, props: properties(n)} END) AS changed
