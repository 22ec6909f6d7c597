// Create relationships of one type that write/stored_relationships found absent, in the same
// transaction, which still holds the write locks it took on every endpoint — so none of them
// can have been created meanwhile (see there).  $ids: the distinct endpoint ids, sorted;
// $rows: [[src, dst, key, props]] with src/dst as positions in $ids, sorted by identity;
// props hold only keys allowed for the type (RelRecord checks them).  Returns how many were
// created.  `SET r += map` after CREATE plans without Eager (after MERGE it would not).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WITH collect(n) AS nodes
UNWIND $rows AS row
WITH nodes[row[0]] AS a, nodes[row[1]] AS b, row
CREATE (a)-[r:{{rel_type}} {key: row[2]}]->(b)
SET r += row[3]
RETURN count(r) AS created
