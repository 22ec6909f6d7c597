// Competing ownership: for each person, the patents they invented in one of the enterprise's
// fields that an enterprise other than $org co-owns (APPLICANT_OF) while itself being in that
// field — a competitor's IP.  Patents $org applied for itself are not conflicts.
// $org: the enterprise; $fields: its field ids; $ids: person ids.  One row per person with a
// conflict (the others are left out: most people asked about have none).
MATCH (e:Entity {id: $org})
UNWIND $ids AS pid
MATCH (p:Entity {id: pid})
WITH p, COLLECT { MATCH (p)-[:INVENTED]->(t:Patent)-[:IN_FIELD]->(f:Field)
                  WHERE f.id IN $fields AND NOT (e)-[:APPLICANT_OF]->(t)
                  MATCH (c:Organization)-[:APPLICANT_OF]->(t)
                  WHERE c.kind = 'enterprise' AND c <> e AND (c)-[:IN_FIELD]->(f)
                  RETURN DISTINCT [c.id, t.id, f.id] } AS conflicts
WHERE size(conflicts) > 0
RETURN p.id AS id, conflicts
