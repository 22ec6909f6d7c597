// What each member organisation brings to a field: its patents in any of $fields, the other
// fields those patents are in (with counts), and its teams by the number of those patents their
// members invented (teams PART_OF the organisation directly or through a college or lab).
// $orgs: organisation ids; $fields: the projection's field ids.
UNWIND $orgs AS oid
MATCH (o:Entity {id: oid})
WITH o, COLLECT { MATCH (o)-[:APPLICANT_OF]->(p:Patent)-[:IN_FIELD]->(f:Field)
                  WHERE f.id IN $fields RETURN DISTINCT p } AS patents
RETURN o.id AS id,
       [p IN patents | p.id] AS patents,
       COLLECT { UNWIND patents AS p
                 MATCH (p)-[:IN_FIELD]->(g:Field)
                 WHERE NOT g.id IN $fields
                 WITH g, count(DISTINCT p) AS n
                 RETURN [g.id, n] } AS subfields,
       COLLECT { UNWIND patents AS p
                 MATCH (p)<-[:INVENTED]-(:Person)-[:MEMBER_OF|LEADS]->(t:Team)-[:PART_OF*1..2]->(o)
                 WITH t, count(DISTINCT p) AS n
                 RETURN [t.id, n] } AS teams
