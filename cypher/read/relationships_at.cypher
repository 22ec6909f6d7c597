// Relationships at one node.  $id, $types (null = any), $out, $in (booleans), $limit (the first
// $limit in the stated order).
MATCH (n:Entity {id: $id})-[r]-(m:Entity)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ((startNode(r) = n AND $out) OR (endNode(r) = n AND $in))
RETURN startNode(r).id AS src, type(r) AS type, endNode(r).id AS dst, r.key AS key, properties(r) AS props
ORDER BY type, src, dst, key
LIMIT $limit
