package io.ifpin.it.apps;

/**
 * Test-only app: loads (and initializes) the classes named on the command line, prints "loaded <name>" for each.
 * An argument {@code udp:<address>:<port>} instead connects a UDP channel there (no packet is sent): when a rule
 * matches it, that waits until ifpin is ready, so its startup lines are out before this short-lived JVM exits.
 */
public final class LoadClassApp {

    private LoadClassApp() {
    }

    public static void main(String[] args) throws Exception {
        for (String name : args) {
            if (name.startsWith("udp:")) {
                int colon = name.lastIndexOf(':');
                try (java.nio.channels.DatagramChannel channel = java.nio.channels.DatagramChannel.open()) {
                    channel.connect(new java.net.InetSocketAddress(name.substring(4, colon),
                            Integer.parseInt(name.substring(colon + 1))));
                }
                System.out.println("connected " + name);
                continue;
            }
            Class.forName(name);
            System.out.println("loaded " + name);
        }
    }
}
