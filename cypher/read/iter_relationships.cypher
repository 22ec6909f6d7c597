// Page through relationships by source id.  $type (null = any), $after (last src seen), $limit
// sources per page; all relationships of those sources are returned.
MATCH (a:Entity)
WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
MATCH (a)-[r]->(b:Entity)
WHERE $type IS NULL OR type(r) = $type
RETURN a.id AS src, type(r) AS type, b.id AS dst, r.key AS key, properties(r) AS props
ORDER BY src, type, dst, key
