package io.ifpin.core;

import io.ifpin.os.LinuxSocketsFfm;
import io.ifpin.os.SocketOptions;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Native access ({@link NativeCalls#load}) loading on a thread of its own, {@code ifpin-native}, started at the end
 * of premain: on Java 22+ the Foreign Function API's first use (ifpin's native-access module in its layer, the first
 * downcall handles) and before 22 JNA's unpacking and loading take most of the time a socket held by
 * {@code PendingHook} waits, and they need nothing of {@code ifpin-init}'s first steps (but {@code java.lang} open to
 * ifpin, for the grant), so they overlap those and the application's start; {@code ifpin-init} takes the result
 * ({@link #await}). A daemon: the JVM's exit never waits for it.
 */
final class NativeStart implements Runnable {

    private final Callable<SocketOptions> load;
    /** Whether the load may define ifpin's native-access module (Java 22+, FFM not ruled out by the choice). */
    private final boolean mayUseFfm;
    private final CountDownLatch done = new CountDownLatch(1);
    /** Written before {@link #done} opens, read after. */
    private SocketOptions sockets;
    private Throwable failure;

    private NativeStart(Callable<SocketOptions> load, boolean mayUseFfm) {
        this.load = load;
        this.mayUseFfm = mayUseFfm;
    }

    /** Starts loading; the thread carries nothing of the application's (no context class loader). */
    static NativeStart begin(NativeCalls.Choice choice) {
        // A class, not a lambda: premain bootstraps none (docs/dev/architecture.md, "Startup order").
        return begin(new Callable<SocketOptions>() {
            @Override
            public SocketOptions call() {
                return NativeCalls.load(choice);
            }
        }, choice != NativeCalls.Choice.JNA && Runtime.version().feature() >= 22);
    }

    /** {@link #begin(NativeCalls.Choice)} with what loads, for tests. */
    static NativeStart begin(Callable<SocketOptions> load, boolean mayUseFfm) {
        NativeStart start = new NativeStart(load, mayUseFfm);
        Thread thread = new Thread(start, "ifpin-native");
        thread.setDaemon(true);
        thread.setContextClassLoader(null);
        thread.start();
        return start;
    }

    @Override
    public void run() {
        SocketOptions loaded = null;
        try {
            loaded = load.call();
            sockets = loaded;
        } catch (Throwable t) {
            failure = t;
        } finally {
            done.countDown();
        }
        // ifpin-init goes on with what pins; what the startup lines' rtnetlink queries need is made here meanwhile
        // (a query that comes first waits for it: the JVM's class initialisation). A failure shows there.
        if (loaded instanceof LinuxSocketsFfm ffm) {
            try {
                ffm.prepareRoutes();
            } catch (Throwable t) {
                // the query that needs it fails with the cause, and says so
            }
        }
    }

    /**
     * Called first on ifpin-init: on Java 22+ it defines ifpin's native-access module itself
     * ({@link LinuxSocketsFfm#prepareModule}), which the load needs after the Foreign Function API's memory access
     * that {@code ifpin-native} sets up meanwhile; two cores share the two. Whichever thread comes second waits for
     * the first (class initialisation), so the module is defined once.
     */
    void help() {
        if (mayUseFfm && done.getCount() > 0) {
            try {
                LinuxSocketsFfm.prepareModule();
            } catch (Throwable t) {
                // the load meets the same failure, and reports it
            }
        }
    }

    /** What {@link NativeCalls#load} returned, or throws what it threw; waits for it, also through interrupts. */
    SocketOptions await() throws Throwable {
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return sockets;
    }
}
