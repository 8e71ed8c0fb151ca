package io.ifpin.it.apps.other;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The rest of the application: same code as LegacyClient, in a package no {@code callers} rule names. */
public final class OtherClient {
    private OtherClient() {
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
