// Existing ties between pairs of organisations: co-applied patents, people who worked at both,
// and collaborating pairs of their staff (x at a, y at b, x–y COLLABORATED_WITH, x ≠ y).
// $pairs: [[a, b], ...] with a the smaller side (usually the enterprise): every pattern is
// expanded from a, once for all the b it is paired with, and only checks b (a university can
// have thousands of patents and staff).
UNWIND $pairs AS pair
WITH pair[0] AS aid, collect(DISTINCT pair[1]) AS bids
MATCH (a:Entity {id: aid})
WITH a, bids,
     [(a)-[:APPLICANT_OF]->(t:Patent)<-[:APPLICANT_OF]-(b) WHERE b.id IN bids | [b.id, t.id]] AS co,
     [(a)<-[:WORKS_AT]-(s:Person)-[:WORKS_AT]->(b) WHERE b.id IN bids | [b.id, s.id]] AS shared,
     [(a)<-[:WORKS_AT]-(x:Person)-[:COLLABORATED_WITH]-(y:Person)-[:WORKS_AT]->(b)
        WHERE y <> x AND b.id IN bids | [b.id, x.id, y.id]] AS collab
UNWIND bids AS bid
MATCH (b:Entity {id: bid})
RETURN a.id AS a, b.id AS b,
       [c IN co WHERE c[0] = bid | c[1]] AS co_patents,
       [c IN shared WHERE c[0] = bid | c[1]] AS shared_staff,
       [c IN collab WHERE c[0] = bid | [c[1], c[2]]] AS collab_pairs
