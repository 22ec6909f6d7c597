// What a shown path needs (graph.queries.paths): the full properties of its relationships and
// the explained properties of its nodes and of the ids its relationships name as evidence
// (COLLABORATED_WITH.evidence).  $rels: [{src, type, dst, key}]; $ids: node ids.
UNWIND $rels AS row
MATCH (:Entity {id: row.src})-[r]->(:Entity {id: row.dst})
WHERE type(r) = row.type AND coalesce(r.key, '') = row.key
WITH collect({src: row.src, type: row.type, dst: row.dst, key: row.key, props: properties(r)}) AS rels
CALL (rels) {
  UNWIND $ids + reduce(acc = [], x IN rels |
           acc + CASE WHEN valueType(x.props.evidence) STARTS WITH 'LIST' THEN x.props.evidence ELSE [] END) AS id
  WITH DISTINCT id
  MATCH (n:Entity {id: id})
  RETURN collect({id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0],
                  props: n {.name, .title, .application_number, .year, .application_date, .batch}}) AS nodes
}
RETURN rels, nodes
