package io.ifpin.bench.app;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The application of bench/harness.sh's startup matrix: a {@code main} that does almost nothing, so that what a JVM
 * pays for an agent before, during and after it is the whole difference. In the connect app's jar.
 *
 * <pre>
 *   StartupApp exit               print main_at_ms= (the wall clock at main's first line), return
 *   StartupApp connect ADDR PORT  the same, then one TCP connect: connect_ms= from main's first line to the
 *                                 connect's return (with ifpin and a rule for ADDR: how long the first pinned
 *                                 connect is held while ifpin gets ready)
 * </pre>
 *
 * The harness takes the launch time in the shell just before it starts {@code java} and subtracts it from
 * {@code main_at_ms}. No string concatenation and no lambda: on Java 9+ both spin classes at first use, which would
 * be the app's own startup cost, not the agent's; {@code System.currentTimeMillis} and {@code nanoTime} load nothing.
 */
public final class StartupApp {

    private StartupApp() {
    }

    public static void main(String[] args) throws Exception {
        long mainAtMs = System.currentTimeMillis();
        long mainNanos = System.nanoTime();
        if (args.length == 1 && args[0].equals("exit")) {
            print("main_at_ms=", mainAtMs);
        } else if (args.length == 3 && args[0].equals("connect")) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])));
                long tookMicros = (System.nanoTime() - mainNanos) / 1000;
                socket.setSoLinger(true, 0); // a reset, no TIME_WAIT, as in ConnectApp
                print("main_at_ms=", mainAtMs);
                System.out.print("connect_ms=");
                System.out.print(tookMicros / 1000);
                System.out.print('.');
                System.out.println(String.valueOf(1000 + tookMicros % 1000).substring(1));
            }
        } else {
            System.err.println("usage: StartupApp exit | connect ADDR PORT");
            System.exit(64);
        }
    }

    private static void print(String key, long value) {
        System.out.print(key);
        System.out.println(value);
    }
}
