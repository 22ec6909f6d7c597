// The read step of a relationship write: lock the endpoints, then read back the stored
// values of those given relationships of one type that exist.
// $ids: the distinct endpoint ids of the batch, sorted; $rows: [[src, dst, key]] with src/dst
// as positions in $ids — each id is sought in the index once per batch, not once per row (an
// IN_FIELD batch of 10,000 rows has ~4,000 distinct endpoints), and no property values travel:
// new rows send theirs once, to write/create_relationships.
// Returns ONE record: `found`, how many of $ids are stored (fewer: the batch is dangling and
// the caller refuses it; the positions are then meaningless), and `stored`, [[i, props]] of
// the rows that exist (one record, not one per row: re-writing unchanged data decodes one
// list).  The caller compares them with the store's own diff; the other rows are new.
// The lock: setting a property takes the node's write lock (the Neo4j manual's way to lock in
// Cypher, "Concurrent data access": SET n._LOCK_ … REMOVE n._LOCK_; no net change is stored).
// It is held until commit, and any other transaction creating or deleting a relationship at
// the node must lock it too (MERGE's LOCK(a, b), this same step; even at a dense node, whose
// shared lock waits for this exclusive one), so what is found absent here stays absent until
// this transaction creates it with a plain CREATE.  The ids are sorted, so concurrent writers
// take the locks of a batch in the same order.
// The relationship is matched in a subquery importing both bound endpoints, so the only plan
// is Expand(Into), which walks from whichever endpoint has fewer relationships of the type;
// matching the whole pattern at once let the planner pick an Expand(All) from a dense Field or
// university node, once per row (PROFILE: 5.7M db hits, 16 s for 6k APPLICANT_OF rows).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
SET n._LOCK_ = true
REMOVE n._LOCK_
WITH collect(n) AS nodes
CALL (nodes) {
  UNWIND range(0, size($rows) - 1) AS i
  WITH i, $rows[i] AS row
  WITH i, row, nodes[row[0]] AS a, nodes[row[1]] AS b
  CALL (a, b, row) {
    MATCH (a)-[r:{{rel_type}} {key: row[2]}]->(b)
    RETURN r
  }
  RETURN collect([i, properties(r)]) AS stored
}
RETURN size(nodes) AS found, stored
