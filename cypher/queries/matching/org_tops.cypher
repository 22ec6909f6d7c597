// The top-level organisation of each college or lab: the nearest PART_OF ancestor that is not
// itself a college or lab (ties by id).  Other organisations are their own top.
// $ids: organisation ids.
UNWIND $ids AS oid
MATCH (o:Entity {id: oid})
OPTIONAL MATCH path = (o)-[:PART_OF*1..3]->(u:Organization)
  WHERE o.kind IN ['college', 'lab'] AND NOT coalesce(u.kind, '') IN ['college', 'lab']
WITH o, u, path
ORDER BY length(path), u.id
WITH o, collect(u.id) AS tops
RETURN o.id AS id, coalesce(tops[0], o.id) AS top
