// Existing ties between pairs of organisations: co-applied patents, people who worked at both,
// and collaborating pairs of their staff (x at a, y at b, x–y COLLABORATED_WITH, x ≠ y).
// $pairs: [[a, b], ...] with a the smaller side (usually the enterprise): every pattern is
// expanded from a and only checks b (a university can have thousands of patents and staff).
UNWIND $pairs AS pair
MATCH (a:Entity {id: pair[0]})
MATCH (b:Entity {id: pair[1]})
RETURN a.id AS a, b.id AS b,
       [(a)-[:APPLICANT_OF]->(t:Patent) WHERE (t)<-[:APPLICANT_OF]-(b) | t.id] AS co_patents,
       [(a)<-[:WORKS_AT]-(s:Person) WHERE (s)-[:WORKS_AT]->(b) | s.id] AS shared_staff,
       [(a)<-[:WORKS_AT]-(x:Person)-[:COLLABORATED_WITH]-(y:Person)
          WHERE y <> x AND (y)-[:WORKS_AT]->(b) | [x.id, y.id]] AS collab_pairs
