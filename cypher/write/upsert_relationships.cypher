// Upsert a batch of relationships of one type.  $rows: [{src, dst, key, props}], sorted by
// (src, dst, key).  Returns how many rows found both endpoints, so the caller can refuse the
// batch (and roll the transaction back) when one is missing.  Each allowed property is set by
// name (an absent one becomes null, i.e. removed): a map-valued SET on a relationship would
// make the plan Eager.
UNWIND $rows AS row
MATCH (a:Entity {id: row.src})
MATCH (b:Entity {id: row.dst})
MERGE (a)-[r:{{rel_type}} {key: row.key}]->(b)
SET {{set_rel_props}}
RETURN count(*) AS written
