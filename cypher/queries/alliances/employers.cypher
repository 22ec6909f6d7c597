// The employers of every person with one: the organisations of its current WORKS_AT, or of
// those without an end when none is current.  Two parallel columns in one record.
MATCH (p:Person)-[w:WORKS_AT]->(o:Organization)
WITH p, collect(CASE WHEN w.current = true THEN o.id END) AS current,
     collect(CASE WHEN w.end IS NULL THEN o.id END) AS open
WITH p, CASE WHEN size(current) > 0 THEN current ELSE open END AS orgs
WHERE size(orgs) > 0
RETURN collect(p.id) AS people, collect(orgs) AS orgs
