// The staff collaborations of a field projection: COLLABORATED_WITH pairs with at least one
// person in any of $fields, each with the employers of both people (current WORKS_AT, or those
// without an end when none is current).  One row per unordered pair, a.id < b.id.
MATCH (f:Entity)
WHERE f.id IN $fields AND f:Field
MATCH (x:Person)-[:IN_FIELD]->(f)
WITH DISTINCT x
MATCH (x)-[:COLLABORATED_WITH]-(y:Person)
WHERE x <> y
WITH DISTINCT CASE WHEN x.id < y.id THEN [x, y] ELSE [y, x] END AS pair
WITH pair[0] AS a, pair[1] AS b
WITH a, b,
     [(a)-[w:WORKS_AT]->(o:Organization) WHERE w.current = true | o.id] AS a_current,
     [(a)-[w:WORKS_AT]->(o:Organization) WHERE w.end IS NULL | o.id] AS a_open,
     [(b)-[w:WORKS_AT]->(o:Organization) WHERE w.current = true | o.id] AS b_current,
     [(b)-[w:WORKS_AT]->(o:Organization) WHERE w.end IS NULL | o.id] AS b_open
RETURN a.id AS a, b.id AS b,
       CASE WHEN size(a_current) > 0 THEN a_current ELSE a_open END AS a_orgs,
       CASE WHEN size(b_current) > 0 THEN b_current ELSE b_open END AS b_orgs
ORDER BY a, b
