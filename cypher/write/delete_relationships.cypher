// Delete relationships of one type by identity.  $rows: [{src, dst, key}].
// eager: as for delete_nodes, matches are materialised before deleting; batches are small.
UNWIND $rows AS row
MATCH (:Entity {id: row.src})-[r:{{rel_type}} {key: row.key}]->(:Entity {id: row.dst})
DELETE r
RETURN count(*) AS deleted
