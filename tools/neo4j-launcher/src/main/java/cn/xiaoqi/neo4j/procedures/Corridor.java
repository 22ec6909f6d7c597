package cn.xiaoqi.neo4j.procedures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.eclipse.collections.impl.list.mutable.primitive.LongArrayList;
import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;
import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;
import org.eclipse.collections.impl.set.mutable.primitive.LongHashSet;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.NodeCursor;
import org.neo4j.internal.kernel.api.Read;
import org.neo4j.internal.kernel.api.RelationshipTraversalCursor;
import org.neo4j.internal.kernel.api.TokenRead;
import org.neo4j.internal.kernel.api.security.AccessMode;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;
import org.neo4j.storageengine.api.RelationshipSelection;
import org.neo4j.storageengine.api.TransactionIdStore;
import org.neo4j.token.api.TokenConstants;

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
 *
 * <p>The graph is read through the kernel API's cursors (a node's allowed relationships are
 * read once per call and kept as primitive arrays); only the corridor's relationships become
 * {@link Relationship} objects. The allowed relationships of dense nodes (a university's
 * thousands of staff) are also kept across calls, in {@link SharedAdjacency}, until the next
 * write to the database: a path query near a hub then costs array reads instead of a walk of
 * the hub's relationship chains.
 */
@SuppressWarnings("removal")
public final class Corridor {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

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
    @Description("xiaoqi.paths.corridor(source, target, types, labels, maxHops, groups, hubDegree[, shared])"
            + " :: (shortest, rels, scanned) - the relationships on candidate collaboration paths;"
            + " shared = false reads every node's relationships afresh instead of using the"
            + " dense nodes' adjacency kept across calls")
    public Stream<Output> corridor(
            @Name("source") Node source,
            @Name("target") Node target,
            @Name("types") List<String> types,
            @Name("labels") List<String> labels,
            @Name("maxHops") long maxHops,
            @Name("groups") long groups,
            @Name("hubDegree") long hubDegree,
            @Name(value = "shared", defaultValue = "true") boolean shared) {
        if (source == null || target == null || types == null || types.isEmpty()
                || source.getId() == target.getId()) {
            return Stream.of(new Output(null, List.of(), 0));
        }
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        try (Search search = new Search(ktx, source.getId(), target.getId(), types, labels,
                (int) Math.max(0, Math.min(maxHops, 12)), hubDegree)) {
            if (shared) {
                search.shared = SharedAdjacency.forCall(db, ktx, search.typeIds, search.labelIds);
            }
            int shortest = search.shortest();
            if (shortest < 0) {
                return Stream.of(new Output(null, List.of(), search.scanned));
            }
            int longest = (int) Math.min(shortest + Math.max(groups, 1) - 1, maxHops);
            if (longest > shortest) {
                search.hubFreeWalks(longest);
            }
            List<Relationship> rels = new ArrayList<>(search.corridor.size());
            search.corridor.forEach(id -> rels.add(tx.getRelationshipById(id)));
            return Stream.of(new Output((long) shortest, rels, search.scanned));
        }
    }

    /** One corridor search over the kernel API; nodes and relationships by internal id. */
    static final class Search implements AutoCloseable {
        private static final long[] NONE = new long[0];

        private final long s;
        private final long t;
        final int[] typeIds;
        final int[] labelIds; // null: every label allowed
        private final int maxHops;
        private final long hubDegree;
        private final Read read;
        private final NodeCursor nodes;
        private final RelationshipTraversalCursor rels;
        private final RelationshipSelection selection;
        private final LongIntHashMap allowed = new LongIntHashMap(); // 1 allowed, 2 not
        private final LongIntHashMap degrees = new LongIntHashMap();
        // A node's allowed relationships as [rel id, other node id] pairs.
        private final LongObjectHashMap<long[]> adjacency = new LongObjectHashMap<>();
        final LongHashSet corridor = new LongHashSet();
        /** Dense nodes' allowed relationships kept across calls, or null (read afresh). */
        SharedAdjacency.View shared;
        long scanned;

        Search(KernelTransaction ktx, long s, long t, List<String> types, List<String> labels,
                int maxHops, long hubDegree) {
            this.s = s;
            this.t = t;
            TokenRead tokens = ktx.tokenRead();
            this.typeIds = types.stream().mapToInt(tokens::relationshipType)
                    .filter(id -> id != TokenConstants.NO_TOKEN).distinct().sorted().toArray();
            this.labelIds = labels == null ? null : labels.stream().mapToInt(tokens::nodeLabel)
                    .filter(id -> id != TokenConstants.NO_TOKEN).toArray();
            this.maxHops = maxHops;
            this.hubDegree = hubDegree;
            this.read = ktx.dataRead();
            this.nodes = ktx.cursors().allocateNodeCursor(ktx.cursorContext(), ktx.memoryTracker());
            this.rels = ktx.cursors().allocateRelationshipTraversalCursor(ktx.cursorContext(), ktx.memoryTracker());
            this.selection = RelationshipSelection.selection(typeIds, Direction.BOTH);
        }

        @Override
        public void close() {
            rels.close();
            nodes.close();
        }

        private boolean isEnd(long id) {
            return id == s || id == t;
        }

        private boolean at(long id) {
            read.singleNode(id, nodes);
            return nodes.next();
        }

        private boolean allowedInterior(long id) {
            if (labelIds == null) {
                return true;
            }
            int known = allowed.get(id);
            if (known == 0) {
                known = 2;
                if (at(id)) {
                    for (int label : labelIds) {
                        if (nodes.hasLabel(label)) {
                            known = 1;
                            break;
                        }
                    }
                }
                allowed.put(id, known);
            }
            return known == 1;
        }

        /** Relationships of any type (what COUNT { (n)--() } counts). */
        int degree(long id) {
            int d = degrees.getIfAbsent(id, -1);
            if (d < 0) {
                d = at(id) ? nodes.degree(RelationshipSelection.ALL_RELATIONSHIPS) : 0;
                degrees.put(id, d);
            }
            return d;
        }

        private boolean isHub(long id) {
            return degree(id) > hubDegree;
        }

        /** Allowed relationships at v as [rel, other] pairs: the given types, no self-loops,
         *  the far end an end node or an allowed interior node. */
        long[] steps(long v) {
            long[] got = adjacency.get(v);
            if (got != null) {
                return got;
            }
            if (shared != null && (got = shared.get(v)) != null) {
                adjacency.put(v, got);
                return got;
            }
            long before = scanned;
            LongArrayList out = new LongArrayList();
            if (typeIds.length > 0 && at(v)) {
                nodes.relationships(rels, selection);
                while (rels.next()) {
                    scanned++;
                    long w = rels.otherNodeReference();
                    if (w != v) {
                        out.add(rels.relationshipReference());
                        out.add(w);
                    }
                }
            }
            got = out.isEmpty() ? NONE : out.toArray();
            if (labelIds != null && got.length > 0) { // label tests after the scan: the cursors are shared
                LongArrayList kept = new LongArrayList(got.length);
                for (int i = 0; i < got.length; i += 2) {
                    if (isEnd(got[i + 1]) || allowedInterior(got[i + 1])) {
                        kept.add(got[i]);
                        kept.add(got[i + 1]);
                    }
                }
                got = kept.toArray();
            }
            adjacency.put(v, got);
            if (shared != null && scanned - before >= SharedAdjacency.MIN_SCAN) {
                shared.offer(v, got);
            }
            return got;
        }

        /** A BFS side: exact distances, the frontier, and the relationships from each layer to
         *  the next as [from, rel, to] triples (for pruning back to the shortest paths). */
        final class Side {
            final LongIntHashMap dist = new LongIntHashMap();
            final List<long[]> layers = new ArrayList<>();
            long[] front;
            int radius = 0;

            Side(long origin) {
                dist.put(origin, 0);
                front = new long[] {origin};
            }

            /** The relationships its frontier has to scan (the other end excluded), counted
             *  only until {@code cap} is passed: a sparse node's degree is itself a scan. */
            long work(long stop, long cap) {
                long sum = 0;
                for (long v : front) {
                    if (v != stop) {
                        sum += degree(v);
                        if (sum > cap) {
                            break;
                        }
                    }
                }
                return sum;
            }

            /** Grow one layer; returns the new nodes. The other end is reached, never grown.
             *  (The frontier's relationships are read first, so the layer's arrays are
             *  allocated once at their largest size: a hub brings in thousands of nodes.) */
            long[] expand(long stop) {
                long[][] all = new long[front.length][];
                int size = 0;
                for (int j = 0; j < front.length; j++) {
                    all[j] = front[j] == stop ? NONE : steps(front[j]);
                    size += all[j].length / 2;
                }
                long[] next = new long[size];
                long[] edges = new long[3 * size];
                int n = 0;
                int e = 0;
                int d = radius + 1;
                for (int j = 0; j < front.length; j++) {
                    long v = front[j];
                    long[] steps = all[j];
                    for (int i = 0; i < steps.length; i += 2) {
                        long w = steps[i + 1];
                        int known = dist.getIfAbsent(w, -1);
                        if (known < 0) {
                            dist.put(w, d);
                            next[n++] = w;
                        } else if (known != d) {
                            continue;
                        }
                        edges[e++] = v;
                        edges[e++] = steps[i];
                        edges[e++] = w;
                    }
                }
                layers.add(Arrays.copyOf(edges, e));
                front = Arrays.copyOf(next, n);
                radius = d;
                return front;
            }

            /** Add the relationships on this side's part of the shortest paths: those that
             *  lead, layer by layer, to the meeting set at depth {@code depth}. */
            void keepTowards(LongHashSet meeting, int depth) {
                LongHashSet useful = meeting;
                for (int d = depth - 1; d >= 0; d--) {
                    LongHashSet previous = new LongHashSet();
                    long[] edges = layers.get(d);
                    for (int i = 0; i < edges.length; i += 3) {
                        if (useful.contains(edges[i + 2])) {
                            previous.add(edges[i]);
                            corridor.add(edges[i + 1]);
                        }
                    }
                    useful = previous;
                }
            }
        }

        /** The shortest length within maxHops, adding the relationships on shortest paths to
         *  the corridor; -1 when there is none. */
        int shortest() {
            Side fs = new Side(s);
            Side ft = new Side(t);
            int shortest = -1;
            while (fs.radius + ft.radius < maxHops && fs.front.length > 0 && ft.front.length > 0) {
                // Count the smaller frontier first; the other only until it costs more.
                boolean fromSource;
                if (fs.front.length <= ft.front.length) {
                    long ws = fs.work(t, Long.MAX_VALUE);
                    fromSource = ws <= ft.work(s, ws);
                } else {
                    long wt = ft.work(s, Long.MAX_VALUE);
                    fromSource = fs.work(t, wt) <= wt;
                }
                Side side = fromSource ? fs : ft;
                Side other = fromSource ? ft : fs;
                for (long v : side.expand(fromSource ? t : s)) {
                    int there = other.dist.getIfAbsent(v, -1);
                    if (there >= 0 && (shortest < 0 || side.radius + there < shortest)) {
                        shortest = side.radius + there;
                    }
                }
                if (shortest >= 0) {
                    break;
                }
            }
            if (shortest < 0) {
                return -1;
            }
            // Split L = a + b where both sides know exact distances: a = the source side's
            // radius (L >= it: the meeting node is that far from the source, or the target
            // side grew last and reached a node of the source ball).
            int a = Math.min(fs.radius, shortest);
            int b = shortest - a;
            LongHashSet meeting = new LongHashSet();
            boolean fromSmall = fs.dist.size() <= ft.dist.size();
            (fromSmall ? fs : ft).dist.forEachKeyValue((v, d) -> {
                if (d == (fromSmall ? a : b) && (fromSmall ? ft : fs).dist.getIfAbsent(v, -1) == (fromSmall ? b : a)) {
                    meeting.add(v);
                }
            });
            fs.keepTowards(meeting, a);
            ft.keepTowards(meeting, b);
            return shortest;
        }

        // ------------------------------------------------------------- hub-free walks

        private final LongIntHashMap ball = new LongIntHashMap();
        private int ballRadius;
        private final LongIntHashMap unreachable = new LongIntHashMap(); // largest budget known false

        /** May a hub-free walk enter w (as an interior node, or w is the target)? */
        private boolean enterable(long w) {
            return w == t || (w != s && !isHub(w));
        }

        /** Whether the target is within {@code budget} hops of v over hub-free walks. */
        private boolean reach(long v, int budget) {
            if (v == t) {
                return true;
            }
            int d = ball.getIfAbsent(v, -1);
            if (d >= 0) {
                return d <= budget;
            }
            if (budget <= ballRadius) {
                return false; // outside the ball: farther than its radius
            }
            if (unreachable.getIfAbsent(v, -1) >= budget) {
                return false;
            }
            long[] steps = steps(v);
            for (int i = 0; i < steps.length; i += 2) {
                long w = steps[i + 1];
                if (enterable(w) && reach(w, budget - 1)) {
                    return true;
                }
            }
            unreachable.put(v, Math.max(budget, unreachable.getIfAbsent(v, -1)));
            return false;
        }

        /** Add every relationship on a hub-free walk of at most {@code longest} hops. */
        void hubFreeWalks(int longest) {
            // Exact hub-free distances to the target up to ceil(longest / 2).
            ball.put(t, 0);
            ballRadius = (longest + 1) / 2;
            long[] front = {t};
            for (int r = 0; r < ballRadius && front.length > 0; r++) {
                LongArrayList next = new LongArrayList();
                for (long v : front) {
                    if (v == s) {
                        continue;
                    }
                    long[] steps = steps(v);
                    for (int i = 0; i < steps.length; i += 2) {
                        long w = steps[i + 1];
                        if (!ball.containsKey(w) && (w == s || !isHub(w))) {
                            ball.put(w, r + 1);
                            next.add(w);
                        }
                    }
                }
                front = next.toArray();
            }
            // BFS from the source: each node at its least depth; a relationship (u, w) lies on
            // such a walk iff depth(u) + 1 + dist(w, target) <= longest.
            LongHashSet seen = LongHashSet.newSetWith(s);
            long[] layer = {s};
            for (int depth = 0; depth < longest && layer.length > 0; depth++) {
                LongArrayList next = new LongArrayList();
                for (long u : layer) {
                    if (u == t || !reach(u, longest - depth)) {
                        continue;
                    }
                    long[] steps = steps(u);
                    for (int i = 0; i < steps.length; i += 2) {
                        long w = steps[i + 1];
                        if (!enterable(w) || !reach(w, longest - depth - 1)) {
                            continue;
                        }
                        corridor.add(steps[i]);
                        if (seen.add(w)) {
                            next.add(w);
                        }
                    }
                }
                layer = next.toArray();
            }
        }
    }

    /**
     * The allowed relationships of dense nodes, kept across calls per database and per
     * (types, labels) view. Everything kept was read after the database's last closed
     * transaction id was taken, so a write that closes later changes that id and the next
     * call starts afresh. A call reads for itself, without sharing, when its own transaction
     * has uncommitted changes or its user may not traverse every label and relationship type.
     */
    static final class SharedAdjacency {
        /** Nodes whose scan reads at least this many relationships are kept. */
        static final long MIN_SCAN = 256;
        /** At most this many longs (8 bytes each) are kept per database; more are not added. */
        static final long CAPACITY = 16_000_000;

        private static final Map<String, Generation> DATABASES = new ConcurrentHashMap<>();

        /** What is kept while the last closed transaction id stays the same. */
        private static final class Generation {
            final long closedTxId;
            final Map<String, Map<Long, long[]>> views = new ConcurrentHashMap<>();
            final AtomicLong size = new AtomicLong();

            Generation(long closedTxId) {
                this.closedTxId = closedTxId;
            }
        }

        /** One call's access to what is kept for its types and labels. */
        static final class View {
            private final Map<Long, long[]> kept;
            private final AtomicLong size;

            private View(Map<Long, long[]> kept, AtomicLong size) {
                this.kept = kept;
                this.size = size;
            }

            long[] get(long node) {
                return kept.get(node);
            }

            /** Keep a node's allowed relationships, unless the generation is full. */
            void offer(long node, long[] steps) {
                if (size.addAndGet(steps.length) > CAPACITY || kept.putIfAbsent(node, steps) != null) {
                    size.addAndGet(-steps.length);
                }
            }
        }

        /** The view for this call's types and labels, or null when it must not share. */
        static View forCall(GraphDatabaseService db, KernelTransaction ktx, int[] typeIds, int[] labelIds) {
            AccessMode mode = ktx.securityContext().mode();
            if (!(db instanceof GraphDatabaseAPI api) || ktx.dataRead().transactionStateHasChanges()
                    || !mode.allowsTraverseAllLabels() || !mode.allowsTraverseAllRelTypes()) {
                return null;
            }
            long closed = api.getDependencyResolver().resolveDependency(TransactionIdStore.class)
                    .getLastClosedTransactionId();
            Generation gen = DATABASES.compute(ktx.getDatabaseName(),
                    (name, old) -> old != null && old.closedTxId == closed ? old : new Generation(closed));
            String key = Arrays.toString(typeIds) + "/" + (labelIds == null ? "*" : Arrays.toString(labelIds));
            return new View(gen.views.computeIfAbsent(key, k -> new ConcurrentHashMap<>()), gen.size);
        }
    }
}
