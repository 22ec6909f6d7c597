// The two ends of a path query and the corridor of its candidate paths (graph.queries.paths),
// in one round trip.
//
// 1. Every shortest path: allShortestPaths is Neo4j's bidirectional BFS, which stops at the
//    layer where the two searches meet.  Relationships of the allowed types, either direction;
//    intermediate nodes carry an allowed label (<n_allowed>) — the predicate is universal over the
//    path's nodes, so the planner checks it during the search (no exhaustive fallback).
// 2. The longer groups: <detours> is one branch per possible shortest length L (the text of
//    queries/paths/detour_branch, joined by UNION ALL); only the branch whose L matches runs.
//    It finds the paths of length L+1 .. L+g-1 that avoid hubs.
//
// Returns one row: the labels of the two ends (null when an id is unknown), the shortest
// length (null when no path), the distinct relationships on the candidate paths [src id, type,
// dst id, key, then the cost properties weight, kinds, last_year, current, end, status —
// graph.queries.paths.COST_KEYS in that order] and their end nodes [id, label, patent year,
// degree].  Paths are not returned one by one: projecting hundreds of paths costs far more
// than finding them, and the Python search enumerates them again inside this small corridor.
//
// Slots (filled by graph.queries.paths from the RelType allow-list and validated integers,
// never from input text): <rel_types> a relationship type expression, <n_allowed> a label
// test on n built from the NodeLabel allow-list, <max_hops>, <detours>.
// Parameters: $source, $target, $hub_degree.
OPTIONAL MATCH (a:Entity {id: $source})
OPTIONAL MATCH (b:Entity {id: $target})
CALL (a, b) {
  OPTIONAL MATCH p = allShortestPaths((a)-[:{{rel_types}}*..{{max_hops}}]-(b))
  WHERE all(n IN nodes(p) WHERE n = a OR n = b OR {{n_allowed}})
  UNWIND relationships(p) AS r
  RETURN min(length(p)) AS shortest, collect(DISTINCT r) AS shortest_rels
}
CALL (a, b, shortest) {
  CALL (a, b, shortest) {
    {{detours}}
  }
  UNWIND relationships(p) AS r
  RETURN collect(DISTINCT r) AS detour_rels
}
WITH a, b, shortest, shortest_rels + [r IN detour_rels WHERE NOT r IN shortest_rels] AS rels
CALL (rels) {
  UNWIND rels AS r
  UNWIND [startNode(r), endNode(r)] AS n
  WITH DISTINCT n
  RETURN collect([n.id, [l IN labels(n) WHERE l <> 'Entity'][0],
                  CASE WHEN n:Patent THEN n.year END, COUNT { (n)--() }]) AS nodes
}
RETURN [l IN labels(a) WHERE l <> 'Entity'][0] AS source_label,
       [l IN labels(b) WHERE l <> 'Entity'][0] AS target_label,
       shortest,
       [r IN rels | [startNode(r).id, type(r), endNode(r).id, coalesce(r.key, ''),
                     r.weight, r.kinds, r.last_year, r.current, r.end, r.status]] AS rels,
       nodes
