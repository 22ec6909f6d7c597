// Raw facts about patents: applicants, inventors with their position, fields, covering results.
// $ids: patent ids.  One row per patent that exists.
UNWIND $ids AS tid
MATCH (t:Entity {id: tid})
WHERE t:Patent
RETURN t.id AS id,
       properties(t) AS props,
       COLLECT { MATCH (o:Organization)-[:APPLICANT_OF]->(t) RETURN DISTINCT o.id } AS applicants,
       COLLECT { MATCH (p:Person)-[r:INVENTED]->(t) RETURN [p.id, r.position] } AS inventors,
       COLLECT { MATCH (t)-[f:IN_FIELD]->(fd:Field) RETURN [fd.id, f.weight] } AS fields,
       COLLECT { MATCH (a:Achievement)-[:COVERS]->(t)
                 RETURN DISTINCT [a.id, a.open_licence, a.maturity] } AS results
