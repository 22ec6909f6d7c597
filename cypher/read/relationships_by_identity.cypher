// Stored relationships of one type among the given identities.
UNWIND $rows AS row
MATCH (:Entity {id: row.src})-[r:{{rel_type}} {key: row.key}]->(:Entity {id: row.dst})
RETURN row.src AS src, row.dst AS dst, row.key AS key, properties(r) AS props
