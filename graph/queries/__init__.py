"""The answers users come for: collaboration paths, demand matching, alliance candidates,
people for roles and open licensing.

Every query runs on both backends with the same answer: on Neo4j through Cypher files under
``cypher/queries/``, on the embedded store through Python and networkx.  Each result carries an
explanation in Chinese that names the people, organisations, patents and ties involved.
"""
