// Upsert a batch of relationships of one type.  $rows: [{src, dst, key, props}],
// sorted by (src, dst, key).  Endpoints are checked to exist before this runs.
UNWIND $rows AS row
MATCH (a:Entity {id: row.src})
MATCH (b:Entity {id: row.dst})
MERGE (a)-[r:{{rel_type}} {key: row.key}]->(b)
SET r += row.props
