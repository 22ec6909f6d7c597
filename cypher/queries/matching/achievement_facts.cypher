// Raw facts about research results: completing organisations and people, covered patents,
// fields.  $ids: achievement ids.  One row per result that exists.
UNWIND $ids AS aid
MATCH (a:Entity {id: aid})
WHERE a:Achievement
RETURN a.id AS id,
       properties(a) AS props,
       COLLECT { MATCH (o:Organization)-[:COMPLETED]->(a) RETURN DISTINCT o.id } AS orgs,
       COLLECT { MATCH (p:Person)-[r:COMPLETED]->(a) RETURN [p.id, r.position] } AS persons,
       COLLECT { MATCH (a)-[:COVERS]->(t:Patent) RETURN DISTINCT t.id } AS patents,
       COLLECT { MATCH (a)-[f:IN_FIELD]->(fd:Field) RETURN [fd.id, f.weight] } AS fields
