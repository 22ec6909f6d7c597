// JSON documents kept beside the graph (person mentions, corrections, ledger entries).
CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.doc_id IS UNIQUE;
CREATE INDEX document_collection_tag IF NOT EXISTS FOR (d:Document) ON (d.collection, d.tag);
CREATE INDEX document_collection_key IF NOT EXISTS FOR (d:Document) ON (d.collection, d.key);
