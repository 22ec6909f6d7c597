// An organisation's circle: its (past or present) staff and, for each, the people they
// collaborated with.  Personal ties of anyone to the organisation follow from it without a
// query per person.  $org: organisation id.
MATCH (f:Entity {id: $org})<-[:WORKS_AT]-(x:Person)
WITH DISTINCT x
RETURN x.id AS staff,
       COLLECT { MATCH (x)-[:COLLABORATED_WITH]-(p:Person) WHERE p <> x RETURN DISTINCT p.id } AS collaborators
ORDER BY staff
