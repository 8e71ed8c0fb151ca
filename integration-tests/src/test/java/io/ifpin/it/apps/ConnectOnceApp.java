package io.ifpin.it.apps;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** One TCP connection over loopback (to its own listener), for counting how often ifpin decides it. */
public final class ConnectOnceApp {

    private ConnectOnceApp() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
             Socket client = new Socket(loopback, server.getLocalPort());
             Socket accepted = server.accept()) {
            System.out.println("connected " + client.isConnected() + " " + accepted.isConnected());
        }
    }
}
