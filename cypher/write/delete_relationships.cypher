// Delete relationships of one type by identity.  $rows: [{src, dst, key}].
// eager: as for delete_nodes, matches are materialised before deleting; batches are small.
// The endpoints are bound first and the relationship matched in a subquery importing them, so
// it is found with Expand(Into), never by expanding all relationships of a dense endpoint.
UNWIND $rows AS row
MATCH (a:Entity {id: row.src})
MATCH (b:Entity {id: row.dst})
CALL (a, b, row) {
  MATCH (a)-[r:{{rel_type}} {key: row.key}]->(b)
  RETURN r
}
DELETE r
RETURN count(*) AS deleted
