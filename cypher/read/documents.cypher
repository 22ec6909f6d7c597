// Documents of a collection, optionally restricted to keys and/or tags (lists or null).
MATCH (d:Document {collection: $collection})
WHERE ($keys IS NULL OR d.key IN $keys) AND ($tags IS NULL OR d.tag IN $tags)
RETURN d.key AS key, d.tag AS tag, d.doc AS doc
ORDER BY key
