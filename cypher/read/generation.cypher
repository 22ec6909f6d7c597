OPTIONAL MATCH (m:StoreMeta {key: 'generation'})
RETURN coalesce(m.value, 0) AS generation
