package io.ifpin.it.apps.vendor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Stands for a vendor library whose sockets a {@code callers} rule scopes to ("io.ifpin.it.apps.vendor.*"). */
public final class LegacyClient {
    private LegacyClient() {
    }

    /** Connects and returns {@code local=ip:port} (or the failure), the way the server will see it. */
    public static String connect(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            return "local=" + socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
        } catch (IOException e) {
            return "FAILED " + e;
        }
    }
}
