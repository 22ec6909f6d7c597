// PART_OF between organisations (a college or lab and its university, …), as [child, parent]
// pairs in one record.
MATCH (a:Organization)-[:PART_OF]->(b:Organization)
RETURN collect([a.id, b.id]) AS pairs
