// The corridor search of queries/paths/corridor in Cypher (when the database lacks the
// procedure xiaoqi.paths.corridor): allShortestPaths, then the detour branch of the shortest
// length (see corridor.cypher for the why).
// Slots: <rel_types> a relationship type expression, <path_filter> empty or a WHERE clause with
// a label test on n built from the NodeLabel allow-list, <max_hops>, <detours>.
CALL (a, b) {
  OPTIONAL MATCH p = allShortestPaths((a)-[:{{rel_types}}*..{{max_hops}}]-(b))
  {{path_filter}}
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
