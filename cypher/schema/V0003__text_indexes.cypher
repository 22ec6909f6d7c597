// Text indexes serve `name CONTAINS $q` (the Chinese search box); range indexes above serve
// equality and ORDER BY.
CREATE TEXT INDEX person_name_text IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE TEXT INDEX organization_name_text IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE TEXT INDEX team_name_text IF NOT EXISTS FOR (n:Team) ON (n.name);
CREATE TEXT INDEX patent_name_text IF NOT EXISTS FOR (n:Patent) ON (n.name);
CREATE TEXT INDEX demand_name_text IF NOT EXISTS FOR (n:Demand) ON (n.name);
CREATE TEXT INDEX achievement_name_text IF NOT EXISTS FOR (n:Achievement) ON (n.name);
CREATE TEXT INDEX entity_name_text IF NOT EXISTS FOR (n:Entity) ON (n.name);
