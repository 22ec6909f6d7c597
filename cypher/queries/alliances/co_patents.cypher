// The co-applied patents of a field projection: patents in any of $fields (IN_FIELD) with two
// or more applicant organisations.  Rows sorted by patent id.
MATCH (f:Entity)
WHERE f.id IN $fields AND f:Field
MATCH (p:Patent)-[:IN_FIELD]->(f)
WITH DISTINCT p
MATCH (o:Organization)-[:APPLICANT_OF]->(p)
WITH p, collect(DISTINCT o.id) AS orgs
WHERE size(orgs) >= 2
RETURN p.id AS patent, orgs
ORDER BY patent
