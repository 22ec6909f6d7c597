// Raw facts about teams: the units they belong to, their members and leaders, their fields.
// $ids: team ids.  One row per team that exists.
UNWIND $ids AS tid
MATCH (t:Entity {id: tid})
WHERE t:Team
RETURN t.id AS id,
       properties(t) AS props,
       COLLECT { MATCH (t)-[:PART_OF]->(o:Organization) RETURN DISTINCT o.id } AS parents,
       COLLECT { MATCH (p:Person)-[:MEMBER_OF|LEADS]->(t) RETURN DISTINCT p.id } AS members,
       COLLECT { MATCH (p:Person)-[:LEADS]->(t) RETURN DISTINCT p.id } AS leaders,
       COLLECT { MATCH (t)-[f:IN_FIELD]->(fd:Field) RETURN [fd.id, f.weight] } AS fields
