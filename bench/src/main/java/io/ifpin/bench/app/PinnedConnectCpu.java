package io.ifpin.bench.app;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * Issue 20's measure: the CPU time of the connecting thread for a pinned connect minus an unmatched one, in one
 * process, the two kinds alternating block by block (AB, then BA), so that the machine's load drifts out of the
 * difference. Loopback only: servers on 127.0.0.1 and 127.0.0.2 in this process; the pinned connects go to
 * 127.0.0.2, bound to {@code lo} either by ifpin (a rule for 127.0.0.2/32, run with the agent) or by the
 * application itself ({@link SelfPin}, Java 22+: the baseline).
 *
 * <pre>
 *   java [-javaagent:ifpin-agent.jar=probe.conf] -cp connect-app.jar io.ifpin.bench.app.PinnedConnectCpu \
 *       ROUNDS N (agent | self)
 * </pre>
 * Prints {@code extra_cpu_ns=} (the median over the rounds after the first quarter) with its min and max, and
 * the unmatched connect's CPU time; one {@code round=} line per round on stderr.
 */
public final class PinnedConnectCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PinnedConnectCpu() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        byte[] selfPinTo = args[2].equals("self") ? SelfPin.device("lo") : null;
        try (ServerSocket plain = server("127.0.0.1"); ServerSocket pinned = server("127.0.0.2")) {
            InetSocketAddress unmatched = (InetSocketAddress) plain.getLocalSocketAddress();
            InetSocketAddress toPin = (InetSocketAddress) pinned.getLocalSocketAddress();
            int warm = rounds / 4;
            double[] extra = new double[rounds - warm];
            double[] base = new double[rounds - warm];
            for (int round = 0; round < rounds; round++) {
                long a;
                long b;
                if (round % 2 == 0) {
                    a = block(unmatched, null, n);
                    b = block(toPin, selfPinTo, n);
                } else {
                    b = block(toPin, selfPinTo, n);
                    a = block(unmatched, null, n);
                }
                System.err.printf("round=%d unmatched_cpu_ns=%.0f pinned_cpu_ns=%.0f%n", round, a / (double) n,
                        b / (double) n);
                if (round >= warm) {
                    extra[round - warm] = (b - a) / (double) n;
                    base[round - warm] = a / (double) n;
                }
            }
            Arrays.sort(extra);
            Arrays.sort(base);
            System.out.printf("extra_cpu_ns=%.0f min=%.0f max=%.0f unmatched_cpu_ns=%.0f rounds=%d n=%d mode=%s%n",
                    extra[extra.length / 2], extra[0], extra[extra.length - 1], base[base.length / 2],
                    extra.length, n, args[2]);
        }
    }

    /** CPU time of this thread for {@code n} connects. */
    private static long block(InetSocketAddress target, byte[] selfPinTo, int n) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            ConnectApp.connect(target, selfPinTo);
        }
        return THREADS.getCurrentThreadCpuTime() - start;
    }

    /** Accepts and closes, on a daemon thread. */
    private static ServerSocket server(String address) throws Exception {
        ServerSocket server = new ServerSocket(0, 4096, InetAddress.getByName(address));
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket ignored = server.accept()) {
                    // closed at once: the client closes with a reset anyway
                } catch (Exception e) {
                    return;
                }
            }
        }, "accept-" + address);
        thread.setDaemon(true);
        thread.start();
        return server;
    }
}
