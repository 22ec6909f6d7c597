// The read step of a node write: the stored label and values of those given nodes that exist.
// $ids: node ids (folded, sorted).  Returns ONE record: `stored`, [[i, label, props]] for the
// positions i in $ids that are stored; the other ids are new.  Only ids travel to the server:
// a new node's values are sent once, to write/upsert_nodes; the caller compares the stored
// ones with the store's own diff.  One aggregated record, not one per node: re-writing
// unchanged data decodes one list.
UNWIND range(0, size($ids) - 1) AS i
MATCH (n:Entity {id: $ids[i]})
RETURN collect([i, [l IN labels(n) WHERE l <> 'Entity'][0], properties(n)]) AS stored
