// Delete nodes with every relationship touching them.  $ids: [id].
UNWIND $ids AS id
MATCH (n:Entity {id: id})
DETACH DELETE n
RETURN count(*) AS deleted
