package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The application binds the socket itself (wildcard address, ephemeral port) before connecting,
 * so the socket already has a local address when the destination becomes known.
 */
public final class BoundSocketCase implements SocketCase {

    @Override
    public String name() {
        return "bound-socket";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(0));
            socket.connect(Addresses.resolve(host, Ports.LINE), Ports.IO_TIMEOUT_MILLIS);
            return Replies.exchange(socket);
        }
    }
}
