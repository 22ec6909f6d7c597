// Nodes of one label whose name contains a text (null = any) and whose properties equal $where.
MATCH (n:Entity:{{label}})
WHERE ($name_contains IS NULL OR n.name CONTAINS $name_contains)
  AND all(k IN keys($where) WHERE n[k] = $where[k])
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
ORDER BY n.name, n.id
SKIP $offset LIMIT $limit
