package cn.xiaoqi.neo4j.procedures;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code xiaoqi.paths.corridor}: the relationships that the candidate paths of a collaboration
 * path query can use (graph/queries/paths.py, "Candidate set"), found inside the database in
 * one call instead of by {@code allShortestPaths} plus one {@code SHORTEST k GROUPS} branch.
 *
 * <p>Paths run over relationships of the given types in either direction, never pass through
 * either end, and their interior nodes carry one of the allowed labels. The corridor is
 * <ol>
 *   <li>every relationship on a shortest path (length L), hubs allowed, and</li>
 *   <li>every relationship on a walk from source to target of at most
 *       min(L + groups - 1, maxHops) hops whose interior nodes are not hubs (more than
 *       hubDegree relationships of any type).</li>
 * </ol>
 * Part 2 is a superset of the relationships on the hub-free simple paths of those lengths;
 * the Python search over the corridor keeps simple paths and applies the same rules, so it
 * finds exactly the candidates it would find in the whole graph.
 *
 * <p>How: (1) a bidirectional BFS that always grows the side whose frontier has fewer
 * relationships to scan (one university outweighs a thousand people) finds L; the
 * relationships between consecutive BFS layers, pruned backwards from the layer where the
 * two searches meet, are exactly those on shortest paths. (2) A hub-free BFS ball around
 * the target gives exact distances up to its radius; a BFS from the source keeps a
 * relationship (u, w) when depth(u) + 1 + dist(w, target) fits the bound, with distances
 * beyond the ball resolved by a memoised look one step further.
 */
@SuppressWarnings("removal")
public final class Corridor {

    /** One row: the shortest length (null when there is no path) and the corridor. */
    public static final class Output {
        public Long shortest;
        public List<Relationship> rels;
        /** Relationships read (a measure of the work done). */
        public Long scanned;

        Output(Long shortest, List<Relationship> rels, long scanned) {
            this.shortest = shortest;
            this.rels = rels;
            this.scanned = scanned;
        }
    }

    @Procedure(name = "xiaoqi.paths.corridor", mode = Mode.READ)
    @Description("xiaoqi.paths.corridor(source, target, types, labels, maxHops, groups, hubDegree)"
            + " :: (shortest, rels) - the relationships on candidate collaboration paths")
    public Stream<Output> corridor(
            @Name("source") Node source,
            @Name("target") Node target,
            @Name("types") List<String> types,
            @Name("labels") List<String> labels,
            @Name("maxHops") long maxHops,
            @Name("groups") long groups,
            @Name("hubDegree") long hubDegree) {
        if (source == null || target == null || types == null || types.isEmpty()
                || source.getId() == target.getId()) {
            return Stream.of(new Output(null, List.of(), 0));
        }
        Search search = new Search(source, target, types, labels, (int) maxHops, hubDegree);
        Integer shortest = search.shortest();
        if (shortest == null) {
            return Stream.of(new Output(null, List.of(), search.scanned));
        }
        int longest = (int) Math.min(shortest + Math.max(groups, 1) - 1, maxHops);
        if (longest > shortest) {
            search.hubFreeWalks(longest);
        }
        return Stream.of(new Output((long) shortest, new ArrayList<>(search.corridor.values()), search.scanned));
    }

    /** One corridor search; node state keyed by element id. */
    static final class Search {
        private final Node s;
        private final Node t;
        private final long sid;
        private final long tid;
        private final RelationshipType[] types;
        private final Set<String> labels; // null: every label allowed
        private final int maxHops;
        private final long hubDegree;
        private final Map<Long, Boolean> allowed = new HashMap<>();
        private final Map<Long, Integer> degrees = new HashMap<>();
        private final Map<Long, List<Step>> adjacency = new HashMap<>();
        final Map<Long, Relationship> corridor = new LinkedHashMap<>();
        long scanned;

        /** An allowed relationship seen from one end: the relationship and the other node. */
        record Step(Relationship rel, Node other, long otherId) {
        }

        Search(Node s, Node t, List<String> types, List<String> labels, int maxHops, long hubDegree) {
            this.s = s;
            this.t = t;
            this.sid = s.getId();
            this.tid = t.getId();
            this.types = types.stream().map(RelationshipType::withName).toArray(RelationshipType[]::new);
            this.labels = labels == null ? null : new HashSet<>(labels);
            this.maxHops = maxHops;
            this.hubDegree = hubDegree;
        }

        private boolean isEnd(long id) {
            return id == sid || id == tid;
        }

        private boolean allowedInterior(Node n, long id) {
            if (labels == null) {
                return true;
            }
            Boolean ok = allowed.get(id);
            if (ok == null) {
                ok = false;
                for (Label label : n.getLabels()) {
                    if (labels.contains(label.name())) {
                        ok = true;
                        break;
                    }
                }
                allowed.put(id, ok);
            }
            return ok;
        }

        private int degree(Node n, long id) {
            Integer d = degrees.get(id);
            if (d == null) {
                d = n.getDegree();
                degrees.put(id, d);
            }
            return d;
        }

        private boolean isHub(Node n, long id) {
            return degree(n, id) > hubDegree;
        }

        /** Allowed relationships at v: the given types, no self-loops, the far end an end
         *  node or an allowed interior node. */
        List<Step> steps(Node v, long vid) {
            List<Step> got = adjacency.get(vid);
            if (got != null) {
                return got;
            }
            got = new ArrayList<>();
            try (ResourceIterable<Relationship> rels = v.getRelationships(Direction.BOTH, types)) {
                for (Relationship r : rels) {
                    scanned++;
                    Node w = r.getOtherNode(v);
                    long wid = w.getId();
                    if (wid == vid) {
                        continue;
                    }
                    if (isEnd(wid) || allowedInterior(w, wid)) {
                        got.add(new Step(r, w, wid));
                    }
                }
            }
            adjacency.put(vid, got);
            return got;
        }

        /** A BFS side: exact distances, the frontier, and the relationships from each layer
         *  to the next (for pruning back to the shortest paths). */
        final class Side {
            final Map<Long, Integer> dist = new HashMap<>();
            final Map<Long, Node> nodes = new HashMap<>();
            final List<List<Step[]>> layers = new ArrayList<>(); // layers.get(d): (from, step) from d to d+1
            List<Node> front = new ArrayList<>();
            int radius = 0;

            Side(Node origin) {
                long id = origin.getId();
                dist.put(id, 0);
                nodes.put(id, origin);
                front.add(origin);
            }

            long work(long stop) {
                long sum = 0;
                for (Node v : front) {
                    long id = v.getId();
                    if (id != stop) {
                        sum += degree(v, id);
                    }
                }
                return sum;
            }

            /** Grow one layer; returns the new nodes. The other end is reached, never grown. */
            List<Node> expand(long stop) {
                List<Node> next = new ArrayList<>();
                List<Step[]> edges = new ArrayList<>();
                int d = radius + 1;
                for (Node v : front) {
                    long vid = v.getId();
                    if (vid == stop) {
                        continue;
                    }
                    Step from = new Step(null, v, vid);
                    for (Step step : steps(v, vid)) {
                        Integer known = dist.get(step.otherId());
                        if (known == null) {
                            dist.put(step.otherId(), d);
                            nodes.put(step.otherId(), step.other());
                            next.add(step.other());
                            edges.add(new Step[] {from, step});
                        } else if (known == d) {
                            edges.add(new Step[] {from, step});
                        }
                    }
                }
                layers.add(edges);
                front = next;
                radius = d;
                return next;
            }

            /** Add the relationships on this side's part of the shortest paths: those that
             *  lead, layer by layer, to the meeting set at depth {@code depth}. */
            void keepTowards(Set<Long> meeting, int depth) {
                Set<Long> useful = meeting;
                for (int d = depth - 1; d >= 0; d--) {
                    Set<Long> previous = new HashSet<>();
                    for (Step[] edge : layers.get(d)) {
                        if (useful.contains(edge[1].otherId())) {
                            previous.add(edge[0].otherId());
                            corridor.putIfAbsent(edge[1].rel().getId(), edge[1].rel());
                        }
                    }
                    useful = previous;
                }
            }
        }

        /** The shortest length within maxHops, adding the relationships on shortest paths to
         *  the corridor; null when there is none. */
        Integer shortest() {
            Side fs = new Side(s);
            Side ft = new Side(t);
            Integer shortest = null;
            while (fs.radius + ft.radius < maxHops && !fs.front.isEmpty() && !ft.front.isEmpty()) {
                boolean fromSource = fs.work(tid) <= ft.work(sid);
                Side side = fromSource ? fs : ft;
                Side other = fromSource ? ft : fs;
                List<Node> fresh = side.expand(fromSource ? tid : sid);
                for (Node v : fresh) {
                    Integer there = other.dist.get(v.getId());
                    if (there != null) {
                        int length = side.radius + there;
                        if (shortest == null || length < shortest) {
                            shortest = length;
                        }
                    }
                }
                if (shortest != null) {
                    break;
                }
            }
            if (shortest == null) {
                return null;
            }
            // Split L = a + b with exact distances on both sides: a = the source side's radius
            // (L >= it, since the meeting node is that far from the source in the last layer
            // or the target side grew last and reached a node of the source ball).
            int a = Math.min(fs.radius, shortest);
            int b = shortest - a;
            Set<Long> meeting = new HashSet<>();
            for (Map.Entry<Long, Integer> e : fs.dist.entrySet()) {
                if (e.getValue() == a && Integer.valueOf(b).equals(ft.dist.get(e.getKey()))) {
                    meeting.add(e.getKey());
                }
            }
            fs.keepTowards(meeting, a);
            ft.keepTowards(meeting, b);
            return shortest;
        }

        // ------------------------------------------------------------- hub-free walks

        private Map<Long, Integer> ball;
        private int ballRadius;
        private final Map<Long, Integer> reachMemo = new HashMap<>(); // id -> largest budget known false

        /** May a hub-free walk enter w (as an interior node, or w is the target)? */
        private boolean enterable(Step step) {
            if (step.otherId() == tid) {
                return true;
            }
            return step.otherId() != sid && !isHub(step.other(), step.otherId());
        }

        /** Whether the target is within {@code budget} hops of v over hub-free walks. */
        private boolean reach(Node v, long vid, int budget) {
            if (vid == tid) {
                return true;
            }
            Integer d = ball.get(vid);
            if (d != null) {
                return d <= budget;
            }
            if (budget <= ballRadius) {
                return false; // outside the ball: farther than its radius
            }
            Integer failed = reachMemo.get(vid);
            if (failed != null && failed >= budget) {
                return false;
            }
            for (Step step : steps(v, vid)) {
                if (enterable(step) && reach(step.other(), step.otherId(), budget - 1)) {
                    return true;
                }
            }
            reachMemo.merge(vid, budget, Math::max);
            return false;
        }

        /** Add every relationship on a hub-free walk of at most {@code longest} hops. */
        void hubFreeWalks(int longest) {
            // Exact hub-free distances to the target up to ceil(longest / 2).
            ball = new HashMap<>();
            ball.put(tid, 0);
            ballRadius = (longest + 1) / 2;
            List<Node> front = List.of(t);
            for (int r = 0; r < ballRadius && !front.isEmpty(); r++) {
                List<Node> next = new ArrayList<>();
                for (Node v : front) {
                    long vid = v.getId();
                    if (vid == sid) {
                        continue;
                    }
                    for (Step step : steps(v, vid)) {
                        long wid = step.otherId();
                        if (!ball.containsKey(wid) && (wid == sid || !isHub(step.other(), wid))) {
                            ball.put(wid, r + 1);
                            next.add(step.other());
                        }
                    }
                }
                front = next;
            }
            // BFS from the source: each node at its least depth; a relationship (u, w) lies on
            // such a walk iff depth(u) + 1 + dist(w, target) <= longest.
            Set<Long> seen = new HashSet<>();
            seen.add(sid);
            List<Node> layer = List.of(s);
            for (int depth = 0; depth < longest && !layer.isEmpty(); depth++) {
                List<Node> next = new ArrayList<>();
                for (Node u : layer) {
                    long uid = u.getId();
                    if (uid == tid || !reach(u, uid, longest - depth)) {
                        continue;
                    }
                    for (Step step : steps(u, uid)) {
                        if (!enterable(step) || !reach(step.other(), step.otherId(), longest - depth - 1)) {
                            continue;
                        }
                        corridor.putIfAbsent(step.rel().getId(), step.rel());
                        if (seen.add(step.otherId())) {
                            next.add(step.other());
                        }
                    }
                }
                layer = next;
            }
        }
    }
}
