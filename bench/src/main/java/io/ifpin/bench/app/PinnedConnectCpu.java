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
 * difference. Loopback only: servers on 127.0.0.1 to 127.0.0.3 in this process; connects to 127.0.0.1 are the
 * unmatched ones, to 127.0.0.2 are pinned to {@code lo} by ifpin (a rule for 127.0.0.2/32, with the agent), to
 * 127.0.0.3 by the application itself ({@link SelfPin}, Java 22+: the baseline). Mode {@code both} measures the
 * two pinned kinds in the same process, round by round.
 *
 * <pre>
 *   java [-javaagent:ifpin-agent.jar=probe.conf] -cp connect-app.jar io.ifpin.bench.app.PinnedConnectCpu \
 *       ROUNDS N (agent | self | both)
 * </pre>
 * Prints each pinned kind's extra CPU time per connect over the unmatched one (the median over the rounds after
 * the first quarter, with the min and max), and the unmatched connect's; one {@code round=} line per round on
 * stderr.
 */
public final class PinnedConnectCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PinnedConnectCpu() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        String mode = args[2];
        // Blocks: unmatched, then the pinned kinds this mode measures: ifpin's (127.0.0.2, which the probe's rule
        // pins) and the application's own (127.0.0.3, which no rule matches).
        boolean agent = mode.equals("agent") || mode.equals("both");
        boolean self = mode.equals("self") || mode.equals("both");
        try (ServerSocket plain = server("127.0.0.1"); ServerSocket byIfpin = server("127.0.0.2");
             ServerSocket bySelf = server("127.0.0.3")) {
            InetSocketAddress[] targets = {(InetSocketAddress) plain.getLocalSocketAddress(),
                    (InetSocketAddress) byIfpin.getLocalSocketAddress(),
                    (InetSocketAddress) bySelf.getLocalSocketAddress()};
            byte[][] pinTo = {null, null, self ? SelfPin.device("lo") : null}; // SelfPin needs Java 22+
            boolean[] used = {true, agent, self};
            int warm = rounds / 4;
            double[][] extra = new double[3][rounds - warm];
            double[] base = new double[rounds - warm];
            for (int round = 0; round < rounds; round++) {
                long[] cpu = new long[3];
                for (int k = 0; k < 3; k++) {
                    int kind = (round + k) % 3; // rotate the order: each kind runs first, second and last in turn
                    if (used[kind]) {
                        cpu[kind] = block(targets[kind], pinTo[kind], n);
                    }
                }
                System.err.printf("round=%d unmatched=%.0f ifpin=%.0f self=%.0f%n", round, cpu[0] / (double) n,
                        cpu[1] / (double) n, cpu[2] / (double) n);
                if (round >= warm) {
                    for (int kind = 1; kind < 3; kind++) {
                        extra[kind][round - warm] = (cpu[kind] - cpu[0]) / (double) n;
                    }
                    base[round - warm] = cpu[0] / (double) n;
                }
            }
            StringBuilder out = new StringBuilder();
            String[] names = {"", "ifpin", "self"};
            for (int kind = 1; kind < 3; kind++) {
                if (used[kind]) {
                    double[] x = extra[kind];
                    Arrays.sort(x);
                    out.append(String.format("%s_extra_cpu_ns=%.0f [%.0f..%.0f] ", names[kind], x[x.length / 2],
                            x[0], x[x.length - 1]));
                }
            }
            if (agent && self) { // paired: round by round, ifpin's extra minus the application's own
                double[] difference = new double[extra[1].length];
                for (int i = 0; i < difference.length; i++) {
                    difference[i] = extra[1][i] - extra[2][i];
                }
                Arrays.sort(difference);
                out.append(String.format("ifpin_minus_self_ns=%.0f ", difference[difference.length / 2]));
            }
            Arrays.sort(base);
            System.out.println(out + String.format("unmatched_cpu_ns=%.0f rounds=%d n=%d mode=%s",
                    base[base.length / 2], base.length, n, mode));
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
