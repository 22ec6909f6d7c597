// Results flagged for open licensing (开放许可), optionally only those in field $field (null =
// any).  One row per result, sorted by id.
MATCH (a:Achievement)
WHERE a.open_licence = true
  AND ($field IS NULL OR EXISTS { MATCH (a)-[:IN_FIELD]->(f:Field) WHERE f.id = $field })
RETURN a.id AS id
ORDER BY id
