// Count committed writes, so cached snapshots know when to rebuild.
MERGE (m:StoreMeta {key: 'generation'})
ON CREATE SET m.value = 1
ON MATCH SET m.value = m.value + 1
