// Update relationships of one type: the rows write/put_relationships found stored with
// other values (it creates the new ones itself).  $rows: [{src, dst, key, props}],
// sorted by (src, dst, key); props are the full merged property map.  MERGE rather than MATCH
// keeps the write an upsert on its own.  Returns how many rows found both endpoints.  Each
// allowed property is set by name (an absent one becomes null, i.e. removed): a map-valued SET
// on a relationship after MERGE would make the plan Eager.
UNWIND $rows AS row
MATCH (a:Entity {id: row.src})
MATCH (b:Entity {id: row.dst})
MERGE (a)-[r:{{rel_type}} {key: row.key}]->(b)
SET {{set_rel_props}}
RETURN count(*) AS written
