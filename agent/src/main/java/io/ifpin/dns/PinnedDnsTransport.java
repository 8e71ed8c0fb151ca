package io.ifpin.dns;

import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * DNS over the JDK's own sockets, each pinned to the rule's interface before anything is sent: the connect (UDP
 * connect sends nothing) passes through ifpin's socket hook, where {@link OwnDnsSockets} pins it, and a socket the hook
 * did not pin is closed unused. A connected UDP socket only receives from the server it asked.
 *
 * <p>Outside the agent ({@code explain}) there is no hook: there the sockets are NIO channels whose descriptors are
 * pinned directly, before the connect, which needs {@code sun.nio.ch} exported to read the descriptor (the jar's
 * manifest exports it for {@code java -jar ifpin-agent.jar}).
 */
final class PinnedDnsTransport implements DnsTransport {

    private static final int MAX_UDP = 4096;

    private final String interfaceName;
    /** Null in the agent (the hook pins); the CLI's native calls otherwise. */
    private final SocketOptions directly;

    /** In the agent: pinned by the socket hook. */
    PinnedDnsTransport(String interfaceName) {
        this(interfaceName, null);
    }

    /** Outside the agent: pinned through {@code sockets} before the connect. */
    PinnedDnsTransport(String interfaceName, SocketOptions sockets) {
        this.interfaceName = interfaceName;
        this.directly = sockets;
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

    @Override
    public byte[][] exchangeTogether(DnsServer server, byte[] first, byte[] second, int timeoutMillis)
            throws IOException {
        DnsQueryThread mark = DnsQueryThread.enter(interfaceName);
        try (DatagramSocket socket = directly == null ? new DatagramSocket(null) : DatagramChannel.open().socket()) {
            pinDirectly(socket.getChannel());
            socket.connect(server.socketAddress());
            requirePinned(mark);
            socket.setSoTimeout(timeoutMillis);
            socket.send(new DatagramPacket(first, first.length));
            socket.send(new DatagramPacket(second, second.length));
            byte[][] responses = new byte[2][];
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buffer = new byte[MAX_UDP];
            for (int packets = 0; packets < 32 && (responses[0] == null || responses[1] == null); packets++) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    break;
                }
                for (int i = 0; i < 2; i++) {
                    byte[] query = i == 0 ? first : second;
                    if (responses[i] == null && sameIdAndQuestion(query, buffer, packet.getLength())) {
                        responses[i] = Arrays.copyOf(buffer, packet.getLength());
                    }
                }
            }
            return responses;
        } finally {
            DnsQueryThread.leave();
        }
    }

    private byte[] overUdp(DnsServer server, byte[] query, int timeoutMillis, DnsQueryThread mark)
            throws IOException {
        try (DatagramSocket socket = directly == null ? new DatagramSocket(null) : DatagramChannel.open().socket()) {
            pinDirectly(socket.getChannel());
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

    private byte[] overTcp(DnsServer server, byte[] query, int timeoutMillis, DnsQueryThread mark)
            throws IOException {
        try (Socket socket = directly == null ? new Socket() : SocketChannel.open().socket()) {
            pinDirectly(socket.getChannel());
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

    /** Outside the agent: whether a socket can be pinned at all (nothing is sent); throws why not. */
    void checkPinnable() throws IOException {
        try (DatagramChannel channel = DatagramChannel.open()) {
            pinDirectly(channel);
        }
    }

    /** Outside the agent: SO_BINDTODEVICE on the channel's descriptor, before it connects. */
    private void pinDirectly(Object channel) throws IOException {
        if (directly == null) {
            return;
        }
        int fd;
        try {
            fd = (Integer) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new SocketException("cannot read the query socket's descriptor to pin it (" + e + "); run"
                    + " java -jar ifpin-agent.jar, whose manifest exports sun.nio.ch");
        }
        try {
            directly.bindToDevice(fd, interfaceName);
        } catch (ErrnoException | RuntimeException e) {
            throw new SocketException("cannot pin the query socket to " + interfaceName + ": " + e.getMessage());
        }
    }

    /** The socket hook pinned this socket: otherwise ifpin's hook is not installed, and nothing may be sent. */
    private void requirePinned(DnsQueryThread mark) throws SocketException {
        if (directly == null && mark.pinnedFd < 0) {
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
