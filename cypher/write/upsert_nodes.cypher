// Upsert a batch of nodes of one label.  $rows: [{id, props}], sorted by id.
// Properties merge: keys in row.props replace stored values, other keys stay.
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:{{label}}
SET n += row.props
