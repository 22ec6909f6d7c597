// Page through nodes in id order.  $label (null = any), $after (last id seen), $limit.
MATCH (n:Entity)
WHERE n.id > $after AND ($label IS NULL OR $label IN labels(n))
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
ORDER BY n.id
LIMIT $limit
