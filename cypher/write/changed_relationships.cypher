// The read step of a relationship write: which of the given relationships of one type are
// already stored exactly so.  $rows: [{src, dst, key, props}] (folded, sorted by identity),
// $ignored: keys left out of the comparison (run_id).  Returns ONE record: `same`, the row
// indexes whose stored values equal the given ones, and `changed`, [{i, props}] of the other
// stored rows; rows absent from both are new (or dangling: the write itself finds that out).
// Both endpoints are bound by their unique index first, and the relationship is matched in a
// subquery importing them, so the only plan is Expand(Into), which at run time walks from
// whichever endpoint has fewer relationships of the type.  Matching the whole pattern at once
// let the planner pick an Expand(All) from one endpoint (it cannot tell a dense Field or
// university from a person: both are :Entity), once per row — quadratic over a dense node
// (PROFILE: 2.2M db hits for 10k IN_FIELD rows, 5.7M and 16 s for 6k APPLICANT_OF rows).
UNWIND range(0, size($rows) - 1) AS i
WITH i, $rows[i] AS row
MATCH (a:Entity {id: row.src})
MATCH (b:Entity {id: row.dst})
CALL (a, b, row) {
  MATCH (a)-[r:{{rel_type}} {key: row.key}]->(b)
  RETURN r
}
WITH i, r, all(k IN keys(row.props) WHERE k IN $ignored OR coalesce(r[k] = row.props[k], false)) AS same
RETURN collect(CASE WHEN same THEN i END) AS same,
       collect(CASE WHEN NOT same THEN {i: i, props: properties(r)} END) AS changed
