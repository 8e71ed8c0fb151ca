package io.ifpin.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One instance of the topology of {@code scripts/netns-lab.sh} (client namespace with a0/b0,
 * server namespace with the service addresses) with {@code PeerServer} running in the server
 * namespace, for one test class:
 *
 * <pre>{@code @RegisterExtension
 * static final NetnsLab lab = NetnsLab.perClass("pol");}</pre>
 *
 * <p>The lab is up before the class's {@code @BeforeAll} methods run and down after its
 * {@code @AfterAll} methods, so they can start and stop servers of their own in it. If the machine
 * cannot host a lab (not root, no iproute2, namespaces refused) the class's tests are aborted, or
 * failed when CI=true.
 *
 * <p>Cleanup is belt and braces: after the class (also when its set-up or tests failed) the server
 * is stopped by its PID and the namespaces are deleted; a JVM shutdown hook does the same if the
 * test JVM dies first. Nothing else is ever killed.
 */
public final class NetnsLab implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SERVER_READY_TIMEOUT = Duration.ofSeconds(60);

    private final String id;
    private final List<String> serverOut = new CopyOnWriteArrayList<>();
    private final List<String> serverErr = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private Path script;
    private Process server;

    private NetnsLab(String id) {
        this.id = id;
        this.shutdownHook = new Thread(this::cleanUp, "netns-lab-" + id + "-cleanup");
    }

    /**
     * A lab for the test class that registers it (see the class comment).
     *
     * @param prefix a few letters naming the test class; made unique per JVM and lab
     */
    public static NetnsLab perClass(String prefix) {
        // Short and unique: namespace names and (hashed) interface names derive from it.
        return new NetnsLab(prefix + Long.toString(ProcessHandle.current().pid(), 36) + COUNTER.incrementAndGet());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String problem = hostProblem();
        if (problem != null) {
            ItEnv.unavailable(problem, ItEnv.HOW_TO_RUN_AS_ROOT);
        }
        script = ItEnv.labScript();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        boolean started = false;
        try {
            up();
            startServer();
            started = true;
        } finally {
            if (!started) {
                close();
            }
        }
    }

    /** Runs after the class's {@code @AfterAll} methods, and also when its set-up failed. */
    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public String id() {
        return id;
    }

    /** The server namespace's name, as scripts/netns-lab.sh makes it (for {@code ip netns exec}). */
    public String serverNamespace() {
        return "ifpin-" + id + "-s";
    }

    /** {@code cmd} wrapped so that it runs in the client namespace, keeping its own PID. */
    public List<String> inClient(List<String> cmd) {
        List<String> wrapped = new ArrayList<>(List.of(script.toString(), "exec-client", id));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /**
     * Runs a command in the client namespace and waits for it (e.g. {@code ip route del ...}, {@code sysctl -w ...});
     * returns its exit code, and fails the test with its output when {@code mustSucceed} and the code is not 0.
     */
    public int runInClient(boolean mustSucceed, String... cmd) {
        List<String> full = new ArrayList<>(List.of("exec-client", id));
        full.addAll(List.of(cmd));
        Commands.Result result = runScript(full.toArray(new String[0]));
        if (mustSucceed && result.exitCode() != 0) {
            throw new IllegalStateException("in " + id + "'s client namespace, " + String.join(" ", cmd) + " failed (exit "
                    + result.exitCode() + "): " + result.output());
        }
        return result.exitCode();
    }

    /** Everything PeerServer printed on stdout so far (READY and SAW lines). */
    public List<String> serverLog() {
        return List.copyOf(serverOut);
    }

    /**
     * Waits for a server line: the server prints SAW before it answers, but our reader thread may
     * not have consumed that line yet when the client already has its answer.
     */
    public Optional<String> awaitServerLine(Predicate<String> matcher, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            Optional<String> found = serverOut.stream().filter(matcher).findFirst();
            if (found.isPresent()) {
                return found;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /** The SAW line for a client endpoint ({@code SAW <proto> <ip>:<port> -> ...}), if the server logged one. */
    public Optional<String> awaitSaw(String ip, int port) {
        String endpoint = ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
        return awaitServerLine(line -> line.startsWith("SAW ") && line.contains(" " + endpoint + " -> "), Duration.ofSeconds(5));
    }

    private void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run: cleanUp is idempotent
        }
    }

    private void up() {
        Commands.Result result = runScript("up");
        if (result.exitCode() != 0) {
            ItEnv.unavailable("could not create network namespace lab '" + id + "' (exit " + result.exitCode() + "): "
                    + result.output().trim(), ItEnv.HOW_TO_RUN_AS_ROOT);
        }
    }

    private void startServer() {
        List<String> cmd = List.of(script.toString(), "exec-server", id,
                TestJdk.currentJava().toString(), "-XX:-UsePerfData",
                "-cp", ItEnv.demoJar().toString(), "io.ifpin.demo.PeerServer");
        CountDownLatch ready = new CountDownLatch(1);
        try {
            server = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PeerServer: " + cmd, e);
        }
        try {
            server.getOutputStream().close(); // PeerServer reads nothing from stdin
        } catch (IOException ignored) {
            // nothing to close
        }
        pump(server.getInputStream(), serverOut, "out", ready);
        pump(server.getErrorStream(), serverErr, "err", null);
        try {
            if (!ready.await(SERVER_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("PeerServer did not print READY within " + SERVER_READY_TIMEOUT.toSeconds()
                        + " s (alive: " + server.isAlive() + ")\nstdout: " + serverOut + "\nstderr: " + serverErr);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PeerServer", e);
        }
    }

    private void pump(InputStream stream, List<String> sink, String name, CountDownLatch ready) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    sink.add(line);
                    if (ready != null && line.equals("READY")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                sink.add("(reader failed: " + e + ")");
            }
        }, "netns-lab-" + id + "-server-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Stops our server (by its PID only) and deletes the namespaces. Safe to call twice, and before the lab is up. */
    private void cleanUp() {
        if (script == null || !closed.compareAndSet(false, true)) {
            return;
        }
        if (server != null && server.isAlive()) {
            server.destroy();
            try {
                if (!server.waitFor(5, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                    server.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        Commands.Result down = runScript("down");
        if (down.exitCode() != 0) {
            System.err.println("netns-lab: 'down " + id + "' failed: " + down.output());
        }
    }

    private Commands.Result runScript(String action) {
        return runScript(new String[] {action, id});
    }

    private Commands.Result runScript(String[] arguments) {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(arguments));
        return Commands.run(cmd, SCRIPT_TIMEOUT);
    }

    /** Why this machine cannot host a lab (or run the demos), or null if it looks like it can. */
    static String hostProblem() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "network namespaces need Linux (this is " + System.getProperty("os.name") + ")";
        }
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!Integer.valueOf(0).equals(uid)) {
                return "not running as root (uid " + uid + ")";
            }
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot determine the user id: " + e;
        }
        // The same lookup the script does (command -v ip): the PATH it inherits from us.
        boolean hasIp = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "ip")));
        if (!hasIp) {
            return "the 'ip' command is missing (install iproute2)";
        }
        return null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
