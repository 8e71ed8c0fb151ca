package io.ifpin.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * DNS over the JDK's own sockets, each pinned to the rule's interface before anything is sent: the connect (UDP
 * connect sends nothing) passes through ifpin's socket hook, where {@link OwnDnsSockets} pins it, and a socket the hook
 * did not pin is closed unused. A connected UDP socket only receives from the server it asked.
 */
final class PinnedDnsTransport implements DnsTransport {

    private static final int MAX_UDP = 4096;

    private final String interfaceName;

    PinnedDnsTransport(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    @Override
    public byte[] exchange(DnsServer server, byte[] query, boolean tcp, int timeoutMillis) throws IOException {
        DnsQueryThread mark = DnsQueryThread.enter(interfaceName);
        try {
            return tcp ? overTcp(server, query, timeoutMillis, mark) : overUdp(server, query, timeoutMillis, mark);
        } finally {
            DnsQueryThread.leave();
        }
    }

    private static byte[] overUdp(DnsServer server, byte[] query, int timeoutMillis, DnsQueryThread mark)
            throws IOException {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.connect(server.socketAddress());
            requirePinned(mark);
            socket.setSoTimeout(timeoutMillis);
            socket.send(new DatagramPacket(query, query.length));
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buffer = new byte[MAX_UDP];
            for (int packets = 0; packets < 16; packets++) { // a few stray datagrams at most, then give up
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                if (sameIdAndQuestion(query, buffer, packet.getLength())) {
                    return Arrays.copyOf(buffer, packet.getLength());
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
            }
            throw new SocketTimeoutException("no matching response");
        }
    }

    private static byte[] overTcp(DnsServer server, byte[] query, int timeoutMillis, DnsQueryThread mark)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server.socketAddress(), timeoutMillis);
            requirePinned(mark);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            byte[] framed = new byte[query.length + 2];
            framed[0] = (byte) (query.length >>> 8);
            framed[1] = (byte) query.length;
            System.arraycopy(query, 0, framed, 2, query.length);
            out.write(framed);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readUnsignedShort()];
            in.readFully(response);
            if (!sameIdAndQuestion(query, response, response.length)) {
                throw new SocketException("the TCP response does not match the query");
            }
            return response;
        }
    }

    /** The socket hook pinned this socket: otherwise ifpin's hook is not installed, and nothing may be sent. */
    private static void requirePinned(DnsQueryThread mark) throws SocketException {
        if (mark.pinnedFd < 0) {
            throw new SocketException(mark.pinFailure != null ? mark.pinFailure
                    : "ifpin's socket hook did not see its DNS socket, so it is not pinned; nothing was sent");
        }
    }

    /** Same id and the same question section (name compared as sent: servers echo it, 0x20 case aside). */
    static boolean sameIdAndQuestion(byte[] query, byte[] response, int length) {
        if (length < query.length || response[0] != query[0] || response[1] != query[1]) {
            return false;
        }
        for (int i = 12; i < query.length; i++) {
            int a = query[i];
            int b = response[i];
            if (a != b && Character.toLowerCase(a) != Character.toLowerCase(b)) {
                return false;
            }
        }
        return true;
    }
}
