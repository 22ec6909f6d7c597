// Who works where, for the in-memory tie index (graph/queries/profiles.py TieIndex): every
// person with their WORKS_AT organisations (past ones included).  One row per person.
MATCH (p:Person)-[:WORKS_AT]->(o:Organization)
RETURN p.id AS id, collect(DISTINCT o.id) AS orgs
