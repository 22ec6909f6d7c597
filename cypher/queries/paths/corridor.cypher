// The two ends of a path query and the corridor of its candidate paths (graph.queries.paths),
// in one round trip.
//
// <search> finds them and leaves a, b, shortest and rels (the corridor's relationships):
// queries/paths/search_procedure when the database has the project's procedure
// xiaoqi.paths.corridor (tools/neo4j-launcher; plugins/ for a server install), else
// queries/paths/search_cypher, which does it in Cypher:
// 1. Every shortest path: allShortestPaths is Neo4j's bidirectional BFS, which stops at the
//    layer where the two searches meet.  Relationships of the allowed types, either direction;
//    intermediate nodes carry an allowed label (<path_filter>: a WHERE clause whose predicate is
//    universal over the path's nodes, so the planner checks it during the search — no
//    exhaustive fallback).  The filter is left out when the schema already rules out a barred
//    interior node (graph.queries.paths._barred_reachable): checking labels on every node the
//    BFS touches cost 2.5× the database hits of the search itself at province scale.
// 2. The longer groups: <detours> is one branch per possible shortest length L (the text of
//    queries/paths/detour_branch, joined by UNION ALL); only the branch whose L matches runs.
//    It finds the paths of length L+1 .. L+g-1 that avoid hubs.
//
// Returns one row: the labels of the two ends (null when an id is unknown), the shortest
// length (null when no path), the distinct relationships on the candidate paths [src id, type,
// dst id, key, then the cost properties weight, kinds, last_year, current, end, status —
// graph.queries.paths.COST_KEYS in that order] and their end nodes [id, label, patent year,
// degree, shown properties or null].  Paths are not returned one by one: projecting hundreds
// of paths costs far more than finding them, and the Python search enumerates them again
// inside this small corridor.
// When the corridor has at most $inline_details relationships (most queries), `inline` is true
// and the row also carries what queries/paths/details would return for any path in it — the
// nodes' shown properties, every relationship's full properties (detail_rels) and the nodes
// named as their evidence (evidence) — so showing the chosen paths needs no second round trip.
//
// Slot (filled by graph.queries.paths with one of the two search texts, rendered from the
// RelType/NodeLabel allow-lists and validated integers, never from input text): <search>.
// Parameters: $source, $target, $hub_degree, $inline_details, and for the procedure $types,
// $labels (null: no interior label test), $max_hops, $groups.
OPTIONAL MATCH (a:Entity {id: $source})
OPTIONAL MATCH (b:Entity {id: $target})
{{search}}
WITH a, b, shortest, rels, size(rels) <= $inline_details AS inline
CALL (rels, inline) {
  UNWIND rels AS r
  UNWIND [startNode(r), endNode(r)] AS n
  WITH DISTINCT n
  RETURN collect([n.id, [l IN labels(n) WHERE l <> 'Entity'][0],
                  CASE WHEN n:Patent THEN n.year END, COUNT { (n)--() },
                  CASE WHEN inline THEN n {.name, .title, .application_number, .year,
                                           .application_date, .batch} END]) AS nodes
}
CALL (rels, inline) {
  UNWIND CASE WHEN inline THEN rels ELSE [] END AS r
  RETURN collect({src: startNode(r).id, type: type(r), dst: endNode(r).id,
                  key: coalesce(r.key, ''), props: properties(r)}) AS detail_rels
}
CALL (detail_rels, nodes) {
  UNWIND reduce(acc = [], x IN detail_rels |
           acc + CASE WHEN valueType(x.props.evidence) STARTS WITH 'LIST' THEN x.props.evidence ELSE [] END) AS id
  WITH DISTINCT id WHERE NOT id IN [x IN nodes | x[0]]
  MATCH (n:Entity {id: id})
  RETURN collect({id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0],
                  props: n {.name, .title, .application_number, .year, .application_date, .batch}}) AS evidence
}
RETURN [l IN labels(a) WHERE l <> 'Entity'][0] AS source_label,
       [l IN labels(b) WHERE l <> 'Entity'][0] AS target_label,
       shortest,
       [r IN rels | [startNode(r).id, type(r), endNode(r).id, coalesce(r.key, ''),
                     r.weight, r.kinds, r.last_year, r.current, r.end, r.status]] AS rels,
       nodes, inline, detail_rels, evidence
