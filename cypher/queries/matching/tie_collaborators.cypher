// Who collaborated with whom, for the in-memory tie index: every person with the people of
// their COLLABORATED_WITH ties, either direction, never themselves.  One row per person.
MATCH (p:Person)-[:COLLABORATED_WITH]-(q:Person)
WHERE q <> p
RETURN p.id AS id, collect(DISTINCT q.id) AS collaborators
