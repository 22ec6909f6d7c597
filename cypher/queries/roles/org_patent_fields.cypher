// How many of an organisation's patents fall in each industry field.  $id: organisation id.
MATCH (o:Entity {id: $id})-[:APPLICANT_OF]->(p:Patent)-[:IN_FIELD]->(f:Field)
WHERE f.kind = 'industry'
RETURN f.id AS field, count(DISTINCT p) AS n
ORDER BY field
