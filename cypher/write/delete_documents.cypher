// Delete documents.  $rows: [{doc_id}].
// eager: a delete materialises its matches first; batches are small.
UNWIND $rows AS row
MATCH (d:Document {doc_id: row.doc_id})
DELETE d
