package io.ifpin.demo.cases;

import java.net.Socket;

/** The classic: {@code new Socket(host, port)} resolves and connects in the constructor. */
public final class PlainSocketCase implements SocketCase {

    @Override
    public String name() {
        return "socket";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        try (Socket socket = new Socket(host, Ports.LINE)) {
            return Replies.exchange(socket);
        }
    }
}
