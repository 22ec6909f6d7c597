// Raw facts about people, for ranking; graph/queries/profiles.py derives the profile from them
// exactly as it does from the networkx snapshot of the embedded store.
// $ids: person ids.  One row per person that exists.
UNWIND $ids AS pid
MATCH (p:Entity {id: pid})
WHERE p:Person
RETURN p.id AS id,
       properties(p) AS props,
       COLLECT { MATCH (p)-[w:WORKS_AT]->(o:Organization)
                 RETURN [o.id, coalesce(w.current = true, false), w.end IS NOT NULL] } AS jobs,
       COLLECT { MATCH (p)-[f:IN_FIELD]->(fd:Field) RETURN [fd.id, f.weight] } AS fields,
       COLLECT { MATCH (p)-[:INVENTED]->(t:Patent) RETURN DISTINCT t.id } AS patents,
       COLLECT { MATCH (p)-[:INVENTED]->(t:Patent)<-[:APPLICANT_OF]-(o:Organization)
                 WITH o, count(DISTINCT t) AS n
                 RETURN [o.id, n] } AS applicant_counts,
       COLLECT { MATCH (p)-[:COMPLETED]->(a:Achievement)
                 RETURN [a.id, a.open_licence, a.maturity] AS r
                 UNION
                 MATCH (p)-[:INVENTED]->(:Patent)<-[:COVERS]-(a:Achievement)
                 RETURN [a.id, a.open_licence, a.maturity] AS r } AS results,
       COLLECT { MATCH (p)-[r:APPOINTED_AS]->(o:Organization) RETURN [o.id, r.role, r.status] } AS appointments,
       COLLECT { MATCH (p)-[:CONTACT_FOR]->(d:Demand) RETURN DISTINCT [d.id, d.status] } AS contacts,
       COLLECT { MATCH (p)-[:MEMBER_OF|LEADS]->(t:Team) RETURN DISTINCT t.id } AS teams,
       COLLECT { MATCH (p)-[:STUDIED_AT]->(o:Organization) RETURN DISTINCT o.id } AS studied
