// Name lookups per kind (search box, find_nodes) and the frequent filters.
CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE INDEX team_name IF NOT EXISTS FOR (n:Team) ON (n.name);
CREATE INDEX organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE INDEX organization_kind IF NOT EXISTS FOR (n:Organization) ON (n.kind);
CREATE INDEX patent_name IF NOT EXISTS FOR (n:Patent) ON (n.name);
CREATE INDEX achievement_name IF NOT EXISTS FOR (n:Achievement) ON (n.name);
CREATE INDEX demand_name IF NOT EXISTS FOR (n:Demand) ON (n.name);
CREATE INDEX demand_batch IF NOT EXISTS FOR (n:Demand) ON (n.batch);
CREATE INDEX field_name IF NOT EXISTS FOR (n:Field) ON (n.name);
CREATE INDEX topic_name IF NOT EXISTS FOR (n:Topic) ON (n.name);
CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name);
