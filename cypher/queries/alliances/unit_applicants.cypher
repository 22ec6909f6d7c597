// The patents a college or lab applied for ($kinds: the organisation kinds folded into their
// university), each with every organisation that applied for it as written — the profile
// directory keeps only top-level applicants.  One record: [[patent id, [org ids]], …].
MATCH (u:Organization)-[:APPLICANT_OF]->(p:Patent)
WHERE u.kind IN $kinds
WITH DISTINCT p
RETURN collect([p.id, COLLECT { MATCH (o:Organization)-[:APPLICANT_OF]->(p) RETURN DISTINCT o.id }]) AS patents
