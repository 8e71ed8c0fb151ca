package io.ifpin.demo;

import io.ifpin.demo.cases.Cases;
import io.ifpin.demo.cases.SocketCase;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in for an unmodified legacy application: it opens sockets in every way the JDK offers
 * and prints, per case, which peer address the server saw.
 *
 * <pre>
 * java -cp demo-app.jar io.ifpin.demo.LegacyApp [--cases a,b,...] [--expect &lt;ip&gt;] [--linger &lt;ms&gt;] &lt;host&gt;
 * java -cp demo-app.jar io.ifpin.demo.LegacyApp --list
 * </pre>
 *
 * Output, one line per case and nothing else on stdout (tests and demo/run.sh parse it):
 * <pre>
 * &lt;case-name&gt; &lt;protocol&gt; PEER &lt;ip&gt; &lt;port&gt;       [OK|MISS]
 * &lt;case-name&gt; &lt;protocol&gt; ERROR &lt;Class&gt;: &lt;message&gt;  [MISS]
 * &lt;case-name&gt; &lt;protocol&gt; n/a                          [SKIP]
 * </pre>
 * The verdict column is present only with {@code --expect}; then the exit code is 1 if any case
 * missed or failed. Exit code 64 is a usage error.
 *
 * <p>{@code --linger <ms>} keeps the JVM alive that long after the last case before it exits, so that what a
 * Java agent prints asynchronously (an agent that finishes starting after the application's first connect) can
 * still appear. The application does not know of any agent; it only waits. {@link #run} is the whole program
 * without the final {@code System.exit}, for tests that run it inside another main.
 */
public final class LegacyApp {

    /**
     * Each case also has its own 5 s timeouts; this outer limit catches APIs without one
     * (e.g. {@code new Socket(host, port)} connects with the kernel's SYN retry timeout).
     */
    private static final long CASE_WATCHDOG_MILLIS = 12_000;

    private LegacyApp() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the cases that {@code args} select and returns the exit code (0, 1; 64 exits at once). */
    public static int run(String[] args) {
        long lingerMillis = 0;
        List<SocketCase> selected = new ArrayList<>(Cases.all());
        String expect = null;
        String host = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--cases") && i + 1 < args.length) {
                selected.clear();
                for (String name : args[++i].split(",")) {
                    SocketCase found = Cases.byName(name.trim()).orElse(null);
                    if (found == null) {
                        usage("unknown case '" + name + "'");
                    }
                    selected.add(found);
                }
            } else if (arg.equals("--expect") && i + 1 < args.length) {
                expect = args[++i];
            } else if (arg.equals("--list")) {
                Cases.all().forEach(c -> System.out.println(c.name() + " " + c.protocol()));
                return 0;
            } else if (arg.equals("--linger") && i + 1 < args.length) {
                lingerMillis = parseMillis(args[++i]);
            } else if (arg.startsWith("--") || host != null) {
                usage("unexpected argument '" + arg + "'");
            } else {
                host = arg;
            }
        }
        if (host == null) {
            usage("missing <host>");
        }

        boolean allGood = true;
        PrintStream out = System.out;
        for (SocketCase socketCase : selected) {
            String result = runWithWatchdog(socketCase, host);
            StringBuilder line = new StringBuilder(socketCase.name()).append(' ').append(socketCase.protocol()).append(' ').append(result);
            if (expect != null) {
                String verdict = verdict(result, expect);
                allGood &= !verdict.equals("MISS");
                line.append(' ').append(verdict);
            }
            out.println(line);
            out.flush();
        }
        if (lingerMillis > 0) {
            try {
                Thread.sleep(lingerMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Some JDK clients (HttpClient, timed-out cases) leave threads behind: main exits, it does not wait for them.
        return allGood ? 0 : 1;
    }

    private static long parseMillis(String text) {
        try {
            long millis = Long.parseLong(text);
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // below
        }
        usage("--linger wants milliseconds, not '" + text + "'");
        return 0;
    }

    /** Runs one case on its own thread so that a case that hangs cannot stall the others. */
    private static String runWithWatchdog(SocketCase socketCase, String host) {
        AtomicReference<String> result = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                String peer = socketCase.run(host);
                result.set(SocketCase.NOT_APPLICABLE.equals(peer) ? SocketCase.NOT_APPLICABLE : "PEER " + peer);
            } catch (Throwable t) {
                result.set(error(t));
            }
        }, "case-" + socketCase.name());
        worker.setDaemon(true);
        worker.start();
        try {
            worker.join(CASE_WATCHDOG_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            worker.interrupt();
            return error(new TimeoutException("case did not finish within " + CASE_WATCHDOG_MILLIS / 1000 + " s"));
        }
        return result.get();
    }

    private static String verdict(String result, String expectedIp) {
        if (result.equals(SocketCase.NOT_APPLICABLE)) {
            return "SKIP";
        }
        String[] parts = result.split(" ");
        return parts.length == 3 && parts[0].equals("PEER") && parts[1].equals(expectedIp) ? "OK" : "MISS";
    }

    /** {@code ERROR <Class>: <message>} on one line, unwrapping the wrappers futures add. */
    private static String error(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof ExecutionException || cause.getClass() == RuntimeException.class) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage().replaceAll("\\s+", " ").trim();
        return "ERROR " + cause.getClass().getName() + ": " + message;
    }

    private static void usage(String problem) {
        System.err.println("LegacyApp: " + problem);
        System.err.println("usage: LegacyApp [--cases a,b,...] [--expect <ip>] [--linger <ms>] <host> | --list");
        System.err.println("  --linger <ms>  stay alive that long after the cases (for an agent's late output)");
        System.exit(64);
    }
}
