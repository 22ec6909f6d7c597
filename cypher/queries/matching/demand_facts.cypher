// Demands with the organisations that posted them and their fields.  $ids: demand ids.
UNWIND $ids AS did
MATCH (d:Entity {id: did})
WHERE d:Demand
RETURN d.id AS id,
       properties(d) AS props,
       COLLECT { MATCH (o:Organization)-[:POSTED]->(d) RETURN DISTINCT o.id } AS posters,
       COLLECT { MATCH (d)-[f:IN_FIELD]->(fd:Field) RETURN [fd.id, f.weight] } AS fields
