// Documents of a collection, optionally restricted to keys and/or a tag.
MATCH (d:Document {collection: $collection})
WHERE ($keys IS NULL OR d.key IN $keys) AND ($tag IS NULL OR d.tag = $tag)
RETURN d.key AS key, d.tag AS tag, d.doc AS doc
ORDER BY key
