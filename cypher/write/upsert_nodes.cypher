// Upsert a batch of nodes of one label.  $rows: [{id, props}], sorted by id; props are the
// full merged property map.  ON CREATE / ON MATCH (rather than a plain SET after MERGE)
// keeps the plan free of Eager.
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
ON CREATE SET n:{{label}}, n += row.props
ON MATCH SET n += row.props
