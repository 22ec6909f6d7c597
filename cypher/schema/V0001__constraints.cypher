// Every node is an :Entity with a globally unique id (ids are prefixed by kind:
// "person:…", "org:…"), so MERGE (n:Entity {id: …}) is backed by this constraint.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT schema_migration_version IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE;
CREATE CONSTRAINT ingest_run_id IF NOT EXISTS FOR (r:IngestRun) REQUIRE r.run_id IS UNIQUE;
CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:StoreMeta) REQUIRE m.key IS UNIQUE;
