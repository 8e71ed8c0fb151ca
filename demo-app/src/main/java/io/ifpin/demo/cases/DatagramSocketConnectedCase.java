package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;

/** A connected {@code DatagramSocket}: the destination is fixed at {@code connect}. */
public final class DatagramSocketConnectedCase implements SocketCase {

    @Override
    public String name() {
        return "datagram-socket-connected";
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public String run(String host) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(Ports.UDP_REPLY_TIMEOUT_MILLIS);
            socket.connect(Addresses.resolve(host, Ports.UDP));
            byte[] request = Replies.REQUEST.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(request, request.length));
            return DatagramSocketSendCase.receive(socket);
        }
    }
}
