// Organisations with their fields.  $ids: organisation ids.  One row per organisation found.
UNWIND $ids AS oid
MATCH (o:Entity {id: oid})
WHERE o:Organization
RETURN o.id AS id,
       properties(o) AS props,
       COLLECT { MATCH (o)-[f:IN_FIELD]->(fd:Field) RETURN [fd.id, f.weight] } AS fields
