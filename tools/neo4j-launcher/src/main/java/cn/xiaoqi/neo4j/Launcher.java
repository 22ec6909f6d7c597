package cn.xiaoqi.neo4j;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

import cn.xiaoqi.neo4j.procedures.Corridor;

/**
 * Runs an embedded Neo4j Community DBMS with a Bolt connector so that Python
 * code (and the integration tests) can talk to a real Neo4j without Docker
 * or a tarball install.
 *
 * <p>This is a LOCAL TEST INSTANCE: authentication is disabled and the
 * connector only listens on 127.0.0.1. Never expose it.
 *
 * <pre>
 * usage: Launcher --home DIR [--port N] [--pagecache SIZE]
 *   --home DIR          DBMS home; data, transaction logs and logs/debug.log
 *                       go below it (env KG_NEO4J_HOME)
 *   --port N            Bolt port on 127.0.0.1, default 7687 (env KG_NEO4J_PORT)
 *   --pagecache SIZE    page cache size such as 512m or 1g, default 512m
 *                       (env KG_NEO4J_PAGECACHE)
 * </pre>
 *
 * <p>Once the default database is online and the Bolt port accepts TCP
 * connections, one line {@code READY bolt://127.0.0.1:PORT} is printed to
 * stdout. SIGTERM/SIGINT trigger an orderly shutdown through a JVM hook.
 */
public final class Launcher {

    private static final String HOST = "127.0.0.1";
    private static final Duration DB_ONLINE_TIMEOUT = Duration.ofMinutes(4);

    private Launcher() {
    }

    public static void main(String[] args) {
        String home = System.getenv("KG_NEO4J_HOME");
        String port = envOr("KG_NEO4J_PORT", "7687");
        String pageCache = envOr("KG_NEO4J_PAGECACHE", "512m");

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--home" -> home = value(args, ++i, arg);
                case "--port" -> port = value(args, ++i, arg);
                case "--pagecache" -> pageCache = value(args, ++i, arg);
                case "-h", "--help" -> {
                    usage(null);
                    return;
                }
                default -> usage("unknown argument: " + arg);
            }
        }
        if (home == null || home.isBlank()) {
            usage("--home (or KG_NEO4J_HOME) is required");
        }

        int boltPort = 0;
        long pageCacheBytes = 0;
        try {
            boltPort = Integer.parseInt(port.trim());
            if (boltPort < 1 || boltPort > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            usage("invalid port: " + port);
        }
        try {
            pageCacheBytes = ByteUnit.parse(pageCache.trim());
        } catch (RuntimeException e) {
            usage("invalid page cache size: " + pageCache);
        }

        try {
            run(Path.of(home).toAbsolutePath().normalize(), boltPort, pageCacheBytes);
        } catch (Throwable t) {
            System.err.println("neo4j-launcher: failed to start: " + t);
            t.printStackTrace(System.err);
            System.exit(1);
        }
    }

    private static void run(Path home, int port, long pageCacheBytes) throws Exception {
        Files.createDirectories(home);
        SocketAddress bolt = new SocketAddress(HOST, port);

        System.out.printf("neo4j-launcher: home=%s bolt=%s pagecache=%dMiB heap(max)=%dMiB%n",
                home, bolt, pageCacheBytes >> 20, Runtime.getRuntime().maxMemory() >> 20);
        System.out.flush();

        // Neo4j's user log (startup and shutdown messages, warnings) goes to
        // stdout, which scripts/neo4j.sh redirects to its log file. The
        // detailed log is written to <home>/logs/debug.log by Neo4j itself.
        Log4jLogProvider userLog = new Log4jLogProvider(System.out, Level.INFO);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(userLog)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                // The routing table that a neo4j:// driver receives lists the
                // advertised address. The default would be localhost:PORT,
                // which may resolve to ::1 where nothing listens, so pin it.
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST))
                // Not part of the embedded artifact anyway; make it explicit.
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheBytes)
                // No usage reporting: the machine has no general network access.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Keep a throw-away test store small on disk: do not reserve
                // full-size transaction log files up front.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Netty waits a 5 s "quiet period" per event loop group when
                // Bolt shuts down, which made every stop take ~10 s longer.
                // Connections are already closed by then, so skip the wait.
                // (Internal setting; re-check it when bumping the version.)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j-launcher: shutting down");
            System.out.flush();
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                System.err.println("neo4j-launcher: error during shutdown: " + t);
            } finally {
                userLog.close();
                stopped.countDown();
            }
            System.out.println("neo4j-launcher: stopped");
            System.out.flush();
        }, "neo4j-launcher-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(DB_ONLINE_TIMEOUT.toMillis())) {
            throw new IllegalStateException("database '" + db.databaseName()
                    + "' did not come online within " + DB_ONLINE_TIMEOUT);
        }
        // The project's procedures (the same classes as target/xiaoqi-procedures.jar, which a
        // server install puts in its plugins directory).
        ((GraphDatabaseAPI) db).getDependencyResolver().resolveDependency(GlobalProcedures.class)
                .registerProcedure(Corridor.class);
        waitForPort(port, Duration.ofSeconds(60));

        System.out.println("READY bolt://" + HOST + ":" + port);
        System.out.flush();

        // Park the main thread until the shutdown hook has finished.
        stopped.await();
    }

    /** Bolt is normally bound once build() returns; this double-checks it. */
    private static void waitForPort(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Bolt port " + port + " is not accepting connections", e);
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            usage("missing value for " + option);
        }
        return args[i];
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("neo4j-launcher: " + error);
        }
        System.err.println("usage: java -cp 'target/classes:target/dependency/*' cn.xiaoqi.neo4j.Launcher"
                + " --home DIR [--port 7687] [--pagecache 512m]");
        if (error != null) {
            System.exit(2);
        }
    }
}
