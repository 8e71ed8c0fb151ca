package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;

/**
 * An unconnected {@code DatagramSocket}: the destination is only known per packet, at
 * {@code send}.
 */
public final class DatagramSocketSendCase implements SocketCase {

    @Override
    public String name() {
        return "datagram-socket-send";
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public String run(String host) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(Ports.UDP_REPLY_TIMEOUT_MILLIS);
            byte[] request = Replies.REQUEST.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(request, request.length, Addresses.resolve(host, Ports.UDP)));
            return receive(socket);
        }
    }

    /** Waits (SO_TIMEOUT) for the server's reply datagram. */
    static String receive(DatagramSocket socket) throws Exception {
        byte[] buffer = new byte[2048];
        DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
        socket.receive(reply);
        return Replies.parsePeer(new String(buffer, 0, reply.getLength(), StandardCharsets.US_ASCII));
    }
}
