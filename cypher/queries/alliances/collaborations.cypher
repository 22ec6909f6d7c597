// Every COLLABORATED_WITH tie between two people, as two parallel columns in one record (the
// alliance module keeps them per store generation and derives each field's staff ties in
// memory).  Each relationship once, in its stored direction; self-ties and repeats are dropped
// by the caller.
MATCH (x:Person)-[:COLLABORATED_WITH]->(y:Person)
RETURN collect(x.id) AS a, collect(y.id) AS b
