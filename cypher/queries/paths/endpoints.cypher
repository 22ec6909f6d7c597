// The label of each given entity id that exists (graph.queries.paths checks the two ends of a
// path query before rendering its search).  $ids: node ids.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label
