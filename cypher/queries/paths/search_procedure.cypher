// The corridor search of queries/paths/corridor by the project's procedure (source in
// tools/neo4j-launcher/src/main/java/cn/xiaoqi/neo4j/procedures/Corridor.java): the same
// relationships as queries/paths/search_cypher, or a superset that holds no other candidate
// path, found in one pass inside the database.  A missing end gives shortest null.
// Parameters: $types (relationship type names), $labels (allowed interior labels, or null when
// the schema makes the test redundant), $max_hops, $groups, $hub_degree, $shared (whether the
// procedure may use the dense nodes' relationships it keeps across calls until the next write).
CALL xiaoqi.paths.corridor(a, b, $types, $labels, $max_hops, $groups, $hub_degree, $shared) YIELD shortest, rels
