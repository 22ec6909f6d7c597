// Who applied for which patent, for the in-memory tie index: every patent with the ids of its
// APPLICANT_OF sources (organisations and people).  One row per patent with an applicant.
MATCH (a)-[:APPLICANT_OF]->(t:Patent)
RETURN t.id AS id, collect(DISTINCT a.id) AS applicants
