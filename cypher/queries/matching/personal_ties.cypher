// Personal ties of people to organisations: the organisation's (past or present) staff they
// collaborated with, and whether they worked there themselves.  Expanded from the person (a
// university can have thousands of staff).  $pairs: [[organisation id, person id], ...].
UNWIND $pairs AS pair
MATCH (f:Entity {id: pair[0]})
MATCH (p:Entity {id: pair[1]})
RETURN f.id AS org, p.id AS id,
       [(p)-[:COLLABORATED_WITH]-(x:Person) WHERE x <> p AND (x)-[:WORKS_AT]->(f) | x.id] AS colleagues,
       EXISTS { MATCH (p)-[:WORKS_AT]->(f) } AS worked_there
