// The demands each organisation posted.  $ids: organisation ids.
UNWIND $ids AS oid
MATCH (o:Entity {id: oid})
RETURN o.id AS id, COLLECT { MATCH (o)-[:POSTED]->(d:Demand) RETURN DISTINCT d.id } AS demands
