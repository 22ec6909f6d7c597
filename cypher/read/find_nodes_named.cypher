// Nodes of any label whose name contains $name_contains and whose properties equal $where.  The bare
// CONTAINS predicate lets the planner use the name TEXT index (a `$x IS NULL OR …` guard would
// force a scan of every node: province scale, ~200 ms per search).
MATCH (n:Entity)
WHERE n.name CONTAINS $name_contains
  AND all(k IN keys($where) WHERE n[k] = $where[k])
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
ORDER BY n.name, n.id
SKIP $offset LIMIT $limit
