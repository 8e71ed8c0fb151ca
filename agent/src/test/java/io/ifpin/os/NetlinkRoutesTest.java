package io.ifpin.os;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The rtnetlink requests and the parser that JNA (Java 17) and FFM (Java 22+) share, on replies recorded from a real
 * kernel ({@code netlink-recorded.txt} says how): each request must be the recorded one byte for byte (but its
 * sequence number), and each reply must parse to what the namespace held.
 */
class NetlinkRoutesTest {

    private static final int D0 = 3;

    private Replay replay;
    private NetlinkRoutes routes;

    @BeforeEach
    void load() throws IOException {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "recorded on a little-endian host");
        replay = Replay.read("netlink-recorded.txt");
        routes = new NetlinkRoutes(replay);
    }

    @Test
    void linkDumpListsEveryInterfaceWithFlags() throws Exception {
        List<Routes.Link> links = routes.links();
        assertEquals(List.of(new Routes.Link(1, "lo", 65609), new Routes.Link(2, "d1", 69699),
                new Routes.Link(D0, "d0", 69699)), links);
        assertTrue(links.get(2).isUp());
        assertFalse(links.get(2).isPointToPoint());
    }

    @Test
    void oneLinkAndItsAddresses() throws Exception {
        replay.skip(1);
        assertEquals(new Routes.Link(D0, "d0", 69699), routes.link(D0));
        assertEquals(List.of("192.0.2.1/24", "2001:db8:1::1/64", "fe80::a4a1:a8ff:fef9:feea/64"), routes.addresses(D0));
    }

    @Test
    void routeDumpsSkipTheLocalTableAndSplitMultipath() throws Exception {
        replay.skip(3);
        List<Routes.Route> ipv4 = routes.routes(4);
        assertEquals(List.of(
                new Routes.Route(4, 254, 1, "0.0.0.0", 0, InetAddress.getByName("192.0.2.254"), D0, 100),
                new Routes.Route(4, 254, 1, "192.0.2.0", 24, null, D0, 0),
                new Routes.Route(4, 254, 1, "198.51.100.0", 24, InetAddress.getByName("192.0.2.253"), D0, 0),
                new Routes.Route(4, 254, 1, "198.51.100.0", 24, InetAddress.getByName("192.0.2.252"), D0, 0)), ipv4);
        assertTrue(ipv4.get(0).isDefault());
        assertEquals(List.of(
                new Routes.Route(6, 254, 1, "2001:db8:1::", 64, null, D0, 256),
                new Routes.Route(6, 254, 1, "fe80::", 64, null, 2, 256),
                new Routes.Route(6, 254, 1, "fe80::", 64, null, D0, 256)), routes.routes(6));
    }

    @Test
    void routeLookupThroughAnInterface() throws Exception {
        replay.skip(5);
        Routes.RouteAnswer answer = routes.routeGet(InetAddress.getByName("203.0.113.10"), D0);
        assertEquals(new Routes.RouteAnswer(254, 1, InetAddress.getByName("192.0.2.254"),
                InetAddress.getByName("192.0.2.1"), D0), answer);
        assertFalse(answer.assumedOnLink());
    }

    @Test
    void noRouteIsTheKernelsAnswerNotAFailure() throws Exception {
        replay.skip(6);
        NetlinkErrorException e = assertThrows(NetlinkErrorException.class,
                () -> routes.routeGet(InetAddress.getByName("2001:db8:f::10"), 1));
        assertEquals(NetlinkRoutes.ENETUNREACH, e.errno());
    }

    @Test
    void aTruncatedReplyIsAnErrorNotAGuess() throws Exception {
        replay.truncateNextReplies(20); // a header that claims more bytes than arrived
        ErrnoException e = assertThrows(ErrnoException.class, () -> routes.links());
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("RTM_GETLINK dump (malformed reply): EINVAL (Invalid argument)", e.getMessage());
    }

    /** Replays the recorded exchanges in order, checking each request. */
    private static final class Replay implements NetlinkTransport {
        private final Deque<byte[]> sends = new ArrayDeque<>();
        private final Deque<List<byte[]>> replies = new ArrayDeque<>();
        private int truncateTo = -1;

        static Replay read(String resource) throws IOException {
            Replay replay = new Replay();
            try (InputStream in = NetlinkRoutesTest.class.getResourceAsStream(resource)) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                    if (line.startsWith("SEND ")) {
                        replay.sends.add(HexFormat.of().parseHex(line.substring(5)));
                        replay.replies.add(new ArrayList<>());
                    } else if (line.startsWith("RECV ")) {
                        replay.replies.getLast().add(HexFormat.of().parseHex(line.substring(5)));
                    }
                }
            }
            return replay;
        }

        void skip(int exchanges) {
            for (int i = 0; i < exchanges; i++) {
                sends.removeFirst();
                replies.removeFirst();
            }
        }

        void truncateNextReplies(int length) {
            truncateTo = length;
        }

        @Override
        public Connection open() {
            Deque<byte[]> datagrams = new ArrayDeque<>();
            return new Connection() {
                @Override
                public void send(byte[] message) {
                    byte[] recorded = sends.removeFirst();
                    int seq = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
                    byte[] expected = recorded.clone();
                    ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).putInt(8, seq);
                    assertArrayEquals(expected, message, "the request as recorded");
                    for (byte[] datagram : replies.removeFirst()) {
                        datagrams.add(withSequence(datagram, seq));
                    }
                }

                @Override
                public int receive(byte[] buffer) throws ErrnoException {
                    byte[] datagram = datagrams.pollFirst();
                    if (datagram == null) {
                        throw new ErrnoException("recv", 11); // EAGAIN: what the timeout would say
                    }
                    int length = truncateTo >= 0 ? Math.min(truncateTo, datagram.length) : datagram.length;
                    System.arraycopy(datagram, 0, buffer, 0, length);
                    return length;
                }

                @Override
                public void close() {
                }
            };
        }

        /** The recorded reply with the request's sequence number in each of its messages. */
        private static byte[] withSequence(byte[] datagram, int seq) {
            byte[] copy = Arrays.copyOf(datagram, datagram.length);
            ByteBuffer buffer = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
            for (int offset = 0; offset + 16 <= copy.length; ) {
                int length = buffer.getInt(offset);
                buffer.putInt(offset + 8, seq);
                offset += (length + 3) & ~3;
            }
            return copy;
        }

        @Override
        public int interfaceIndex(String name) {
            return "d0".equals(name) ? D0 : 0;
        }
    }

    @Test
    void interfaceIndexOfNullIsZeroWithoutACall() {
        assertEquals(0, routes.interfaceIndex(null));
        assertEquals(D0, routes.interfaceIndex("d0"));
    }
}
