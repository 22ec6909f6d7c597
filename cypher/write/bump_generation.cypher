// Count committed writes, so cached snapshots know when to rebuild.
MERGE (m:StoreMeta {key: 'generation'})
ON CREATE SET m.value = 0
SET m.value = m.value + 1
