// One branch of <detours> in queries/paths/corridor: when the shortest length is
// <shortest>, every trail of the <groups> smallest hub-free lengths up to <max_len>
// (= shortest + groups - 1, capped at max_hops), which covers every length in that range.
// Intermediate nodes need an allowed label (<x_allowed>: empty, or a label test on x built from
// the NodeLabel allow-list followed by AND, left out when the schema rules out a barred
// interior node) and at most $hub_degree relationships of any type;
// the test is inlined in the search, so hubs are never expanded.  Trails longer than the
// shortest are kept; a trail that repeats a node only adds relationships to the corridor
// (the Python search keeps simple paths).
WITH a, b, shortest WHERE shortest = {{shortest}}
MATCH p = SHORTEST {{groups}} GROUPS
  (a)(()-[r:{{rel_types}}]-(x)
      WHERE x = b OR ({{x_allowed}}COUNT { (x)--() } <= $hub_degree)
  ){1,{{max_len}}}(b)
WITH p WHERE length(p) > shortest
RETURN p
