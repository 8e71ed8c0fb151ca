package io.ifpin.it.apps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A child JVM for ReloadFaultsIT: connects without pause to a listed and an unlisted destination while it rewrites
 * its own config the way {@code cp} or an editor does (truncate, write part, write the rest), then prints what got
 * through. Knows nothing of ifpin except the MBean's name.
 *
 * <pre>
 * conf prefix full permissive listed-host unlisted-host port pinned-prefix
 *   COUNTS listed-pinned=N listed-wrong-link=N unlisted-let-through=N unlisted-refused=N
 *   WAITED ReloadFailures=N           (after the truncation)
 *   SAW-WAIT true|false               (the agent said it holds the half-written file back)
 *   SAW-BACK true|false               (the agent saw the whole file again)
 *   AFTER-SETTLE unlisted OK|REFUSED  (after writing the permissive config and waiting for Reloads=1)
 * </pre>
 */
public final class ReloadFaultsApp {
    private static final int MAX_ROUNDS = 200_000;

    private ReloadFaultsApp() {
    }

    public static void main(String[] args) throws Exception {
        Path conf = Path.of(args[0]);
        String prefix = Files.readString(Path.of(args[1]));
        String full = Files.readString(Path.of(args[2]));
        String permissive = Files.readString(Path.of(args[3]));
        InetSocketAddress listed = new InetSocketAddress(args[4], Integer.parseInt(args[6]));
        InetSocketAddress unlisted = new InetSocketAddress(args[5], Integer.parseInt(args[6]));
        String pinnedPrefix = args[7];
        PolicyApp.awaitAttribute("Reloads", 0); // the agent is ready (MBean registered after the startup lines)

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong pinned = new AtomicLong();
        AtomicLong wrongLink = new AtomicLong();
        AtomicLong letThrough = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        Thread prober = new Thread(() -> {
            for (int round = 0; round < MAX_ROUNDS && !stop.get(); round++) {
                String local = connect(listed);
                (local != null && local.startsWith(pinnedPrefix) ? pinned : wrongLink).incrementAndGet();
                (connect(unlisted) != null ? letThrough : refused).incrementAndGet();
            }
        }, "prober");
        prober.start();

        write(conf, ""); // cp and many editors truncate first ...
        print("WAITED ReloadFailures=" + PolicyApp.awaitAttribute("ReloadFailures", 1));
        write(conf, prefix); // ... then write part of the file ...
        print("SAW-WAIT " + awaitOwnStderr(") lowers enforcement"));
        write(conf, full);   // ... then the rest, well within the 1 s a lowering config must stay unchanged
        print("SAW-BACK " + awaitOwnStderr(" is back to version "));
        Thread.sleep(300);
        stop.set(true);
        prober.join();
        print("COUNTS listed-pinned=" + pinned + " listed-wrong-link=" + wrongLink + " unlisted-let-through="
                + letThrough + " unlisted-refused=" + refused);

        write(conf, permissive); // meant: it stays, and applies once settled
        print("WAITED Reloads=" + PolicyApp.awaitAttribute("Reloads", 1));
        print("AFTER-SETTLE unlisted " + (connect(unlisted) != null ? "OK" : "REFUSED"));
    }

    /** The local address of a connected socket, or null when the connect failed (refused by ifpin). */
    private static String connect(InetSocketAddress target) {
        try (Socket socket = new Socket()) {
            socket.connect(target, 3000);
            return socket.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Waits until the agent's stderr (a file: ChildJvm redirects it) has a line with {@code fragment}, so that each
     * write waits for the reloader to have seen the one before, however slow the machine; at most 20 s.
     */
    private static boolean awaitOwnStderr(String fragment) throws Exception {
        Path stderr = Path.of("/proc/self/fd/2");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(stderr) && Files.readString(stderr).contains(fragment)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** In place, as cp does: the same inode, truncated, then written. */
    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
