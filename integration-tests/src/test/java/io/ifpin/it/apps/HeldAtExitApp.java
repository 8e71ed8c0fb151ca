package io.ifpin.it.apps;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A short-lived application that opens a socket before ifpin is ready and exits while it is still held: a daemon
 * thread connects to a listener of its own on loopback; main waits (bounded) until that thread is waiting in ifpin's
 * PendingHook, prints "held", and returns. Prints "connected" if the connect ever went through.
 */
public final class HeldAtExitApp {

    private HeldAtExitApp() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket server = new ServerSocket(0, 1, loopback);
        Thread client = new Thread(() -> {
            try (Socket socket = new Socket(loopback, server.getLocalPort())) {
                System.out.println("connected");
            } catch (Exception e) {
                System.out.println("connect failed: " + e);
            }
        }, "client");
        client.setDaemon(true);
        client.start();
        for (int i = 0; i < 400; i++) {
            for (StackTraceElement frame : client.getStackTrace()) {
                if (frame.getClassName().endsWith(".PendingHook")) {
                    System.out.println("held");
                    return;
                }
            }
            Thread.sleep(25);
        }
        System.out.println("never held");
    }
}
