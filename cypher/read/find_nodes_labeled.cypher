// Nodes of one label whose properties equal $where (no name filter).
MATCH (n:Entity:{{label}})
WHERE all(k IN keys($where) WHERE n[k] = $where[k])
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
ORDER BY n.name, n.id
SKIP $offset LIMIT $limit
