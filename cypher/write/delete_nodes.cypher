// Delete nodes with every relationship touching them.  $ids: [id].
// eager: a delete must not let a later row see a node an earlier row deleted, so the planner
// materialises the matches first; batches here are small (people merge/split, resets).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
DETACH DELETE n
RETURN count(*) AS deleted
