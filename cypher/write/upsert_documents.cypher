// Put JSON documents kept beside the graph.  $rows: [{doc_id, collection, key, tag, doc}],
// sorted by (collection, key).
UNWIND $rows AS row
MERGE (d:Document {doc_id: row.doc_id})
ON CREATE SET d.collection = row.collection, d.key = row.key, d.tag = row.tag, d.doc = row.doc
ON MATCH SET d.tag = row.tag, d.doc = row.doc
