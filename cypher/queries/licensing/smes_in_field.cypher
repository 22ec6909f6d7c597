// Small and medium enterprises (中小企业, 专精特新, 小巨人; not 龙头企业) in field $field: the
// enterprise itself is IN_FIELD it, or it posted a demand that is.  Sorted by id.
MATCH (f:Entity {id: $field})
CALL (f) {
  MATCH (o:Organization)-[:IN_FIELD]->(f) RETURN o
  UNION
  MATCH (o:Organization)-[:POSTED]->(:Demand)-[:IN_FIELD]->(f) RETURN o
}
WITH DISTINCT o
WHERE o.kind = 'enterprise' AND coalesce(o.is_leading, false) = false
  AND (o.is_sme = true OR o.is_specialised = true OR o.is_little_giant = true)
RETURN o.id AS id
ORDER BY id
