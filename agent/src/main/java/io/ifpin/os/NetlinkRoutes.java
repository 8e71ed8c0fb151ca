package io.ifpin.os;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Routes} on Linux: rtnetlink ({@code NETLINK_ROUTE}), the same requests {@code ip route get},
 * {@code ip route show}, {@code ip link} and {@code ip addr} send. No subprocess, no parsing of {@code ip}'s output.
 * The messages are built and parsed here, once; the system calls are a {@link NetlinkTransport}'s (the Foreign
 * Function API on Java 22+, JNA before).
 *
 * <p>One socket per query, opened and closed by the calling thread, with a receive timeout: a query never waits
 * for more than {@link #TIMEOUT_MILLIS}. Never call this on an application thread: it does I/O. ifpin calls it at
 * startup and from its own {@code ifpin-route-check} thread.
 */
public final class NetlinkRoutes implements Routes {

    /** linux/socket.h (bits/socket.h) */
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    /** bits/socket_type.h */
    static final int SOCK_RAW = 3;
    /** bits/socket_type.h: O_CLOEXEC of asm-generic/fcntl.h (x86, arm, arm64, riscv, ppc) */
    static final int SOCK_CLOEXEC = 0x80000;
    /** linux/netlink.h */
    static final int NETLINK_ROUTE = 0;
    /** asm-generic/socket.h */
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;

    /** linux/netlink.h: struct nlmsghdr is 16 bytes; message types and flags */
    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH

    /** linux/rtnetlink.h: message types */
    static final int RTM_NEWLINK = 16;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_GETROUTE = 26;
    /** linux/rtnetlink.h: struct rtmsg is 12 bytes */
    static final int RTMSG_LEN = 12;
    /** linux/rtnetlink.h: rtm_flags; report the table the lookup used (0 when none), as ip route get does */
    static final int RTM_F_LOOKUP_TABLE = 0x1000;
    /** linux/rtnetlink.h: enum rtattr_type_t */
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_MULTIPATH = 9;
    static final int RTA_TABLE = 15;
    static final int RTA_MARK = 16;
    /** linux/rtnetlink.h: enum rt_class_t */
    static final int RT_TABLE_LOCAL = 255;
    /** linux/rtnetlink.h: struct rtnexthop is 8 bytes */
    static final int RTNH_LEN = 8;
    /** linux/rtnetlink.h: struct ifinfomsg is 16 bytes */
    static final int IFINFOMSG_LEN = 16;
    /** linux/if_link.h */
    static final int IFLA_IFNAME = 3;
    /** linux/if_addr.h: struct ifaddrmsg is 8 bytes */
    static final int IFADDRMSG_LEN = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;

    /** asm-generic/errno.h */
    public static final int ENETUNREACH = 101;
    public static final int EHOSTUNREACH = 113;
    /** asm-generic/errno-base.h */
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    /** The kernel answers within microseconds; this only bounds a pathological wait. */
    static final int TIMEOUT_MILLIS = 2000;
    /** Dump parts are at most 32 KiB (net/netlink/af_netlink.c); one receive buffer holds any of them. */
    private static final int RECEIVE_BUFFER = 65536;
    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    private final AtomicInteger sequence = new AtomicInteger((int) (System.nanoTime() & 0xffff));

    private final NetlinkTransport transport;

    NetlinkRoutes(NetlinkTransport transport) {
        this.transport = transport;
    }

    /**
     * Through the Foreign Function API where it is usable (Java 22+), else JNA: for the command-line tools, which
     * have no {@code -Difpin.native}.
     *
     * @throws UnsupportedOperationException off Linux
     */
    public static NetlinkRoutes load() {
        try {
            return ffm();
        } catch (RuntimeException | LinkageError notHere) {
            return jna();
        }
    }

    /** @throws UnsupportedOperationException off Linux, or before Java 22 (saying so) */
    public static NetlinkRoutes ffm() {
        checkLinux();
        Throwable unavailable = Libc.unavailable();
        if (unavailable != null) {
            throw new UnsupportedOperationException(unavailable.toString(), unavailable);
        }
        return new NetlinkRoutes(new NetlinkTransportFfm());
    }

    /** @throws UnsupportedOperationException off Linux */
    public static NetlinkRoutes jna() {
        checkLinux();
        return new NetlinkRoutes(new NetlinkTransportJna());
    }

    private static void checkLinux() {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            throw new UnsupportedOperationException("rtnetlink needs Linux; this is " + System.getProperty("os.name"));
        }
    }

    /** A socket subscribed to link notifications, for the link monitor's thread; closed by the caller. */
    public LinkEvents linkEvents() throws ErrnoException {
        return LinkEvents.open(transport);
    }

    @Override
    public int interfaceIndex(String name) {
        // A null name would reach libc as a null pointer: a crash of the whole JVM, not an error.
        return name == null ? 0 : transport.interfaceIndex(name);
    }

    @Override
    public RouteAnswer routeGet(InetAddress destination, int ifIndex) throws ErrnoException, NetlinkErrorException {
        return routeGet(destination, ifIndex, 0);
    }

    @Override
    public RouteAnswer routeGet(InetAddress destination, int ifIndex, long mark)
            throws ErrnoException, NetlinkErrorException {
        byte[] dst = destination.getAddress();
        int family = dst.length == 4 ? AF_INET : AF_INET6;
        Request request = new Request(RTM_GETROUTE, NLM_F_REQUEST);
        request.putRtmsg(family, dst.length * 8, RTM_F_LOOKUP_TABLE);
        request.attribute(RTA_DST, dst);
        request.attribute(RTA_OIF, intBytes(ifIndex)); // 0: no interface (inet_rtm_getroute, inet6_rtm_getroute)
        if (mark != 0) {
            request.attribute(RTA_MARK, intBytes((int) mark)); // what `ip route get ... mark N` sends
        }
        List<Message> replies = exchange(request, "RTM_GETROUTE");
        for (Message reply : replies) {
            if (reply.type == RTM_NEWROUTE) {
                List<Route> parsed = parseRoute(reply);
                Route route = parsed.isEmpty() ? null : parsed.get(0);
                InetAddress prefSrc = address(reply.attribute(RTMSG_LEN, RTA_PREFSRC));
                return new RouteAnswer(route == null ? 0 : route.table(), route == null ? 0 : route.type(),
                        route == null ? null : route.gateway(), prefSrc, route == null ? 0 : route.oif());
            }
        }
        throw new ErrnoException("RTM_GETROUTE (no RTM_NEWROUTE in the reply)", Errno.EINVAL);
    }

    @Override
    public List<Route> routes(int family) throws ErrnoException {
        Request request = new Request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
        request.putRtmsg(family == 6 ? AF_INET6 : AF_INET, 0, 0);
        List<Route> routes = new ArrayList<>();
        for (Message reply : exchangeOrFail(request, "RTM_GETROUTE dump")) {
            if (reply.type == RTM_NEWROUTE) {
                for (Route route : parseRoute(reply)) {
                    if (route.table() != RT_TABLE_LOCAL) {
                        routes.add(route);
                    }
                }
            }
        }
        return routes;
    }

    @Override
    public Link link(int ifIndex) throws ErrnoException {
        if (ifIndex <= 0) {
            return null;
        }
        Request request = new Request(RTM_GETLINK, NLM_F_REQUEST);
        // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
        request.body.put((byte) AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(ifIndex).putInt(0).putInt(0);
        List<Message> replies;
        try {
            replies = exchange(request, "RTM_GETLINK");
        } catch (NetlinkErrorException e) {
            if (e.errno() == Errno.ENODEV) {
                return null;
            }
            throw new ErrnoException("RTM_GETLINK", e.errno());
        }
        for (Message reply : replies) {
            Link link = parseLink(reply);
            if (link != null) {
                return link;
            }
        }
        return null;
    }

    /** Every interface of the namespace ({@code RTM_GETLINK} dump, as {@code if_nameindex} and {@code ip link}). */
    public List<Link> links() throws ErrnoException {
        Request request = new Request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
        request.body.put((byte) AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0);
        List<Link> links = new ArrayList<>();
        for (Message reply : exchangeOrFail(request, "RTM_GETLINK dump")) {
            Link link = parseLink(reply);
            if (link != null) {
                links.add(link);
            }
        }
        return links;
    }

    @Override
    public List<String> addresses(int ifIndex) throws ErrnoException {
        Request request = new Request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
        request.body.put((byte) AF_UNSPEC).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0);
        List<String> addresses = new ArrayList<>();
        for (Message reply : exchangeOrFail(request, "RTM_GETADDR dump")) {
            if (reply.type != RTM_NEWADDR || reply.payload.length < IFADDRMSG_LEN) {
                continue;
            }
            ByteBuffer body = ByteBuffer.wrap(reply.payload).order(HOST);
            int prefix = body.get(1) & 0xff;
            int index = body.getInt(4);
            if (index != ifIndex) {
                continue;
            }
            // On a point-to-point link IFA_ADDRESS is the peer and IFA_LOCAL the own address (linux/if_addr.h).
            byte[] local = reply.attribute(IFADDRMSG_LEN, IFA_LOCAL);
            byte[] address = local != null ? local : reply.attribute(IFADDRMSG_LEN, IFA_ADDRESS);
            if (address != null && (address.length == 4 || address.length == 16)) {
                addresses.add(Addresses.text(address) + "/" + prefix);
            }
        }
        return addresses;
    }

    // ---- parsing ----------------------------------------------------------------------------------

    /** struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } and IFLA_IFNAME. */
    private static Link parseLink(Message reply) {
        if (reply.type != RTM_NEWLINK || reply.payload.length < IFINFOMSG_LEN) {
            return null;
        }
        ByteBuffer body = ByteBuffer.wrap(reply.payload).order(HOST);
        byte[] name = reply.attribute(IFINFOMSG_LEN, IFLA_IFNAME);
        return new Link(body.getInt(4), name == null ? "" : cString(name), body.getInt(8));
    }

    /** A route message: one entry, or one per next hop of a multipath route. */
    private static List<Route> parseRoute(Message reply) {
        if (reply.payload.length < RTMSG_LEN) {
            return List.of();
        }
        byte[] p = reply.payload;
        int family = (p[0] & 0xff) == AF_INET6 ? 6 : 4;
        int dstLen = p[1] & 0xff;
        int table = p[4] & 0xff;
        int type = p[7] & 0xff;
        byte[] tableAttr = reply.attribute(RTMSG_LEN, RTA_TABLE);
        if (tableAttr != null && tableAttr.length >= 4) {
            table = ByteBuffer.wrap(tableAttr).order(HOST).getInt(); // rtm_table is 8 bits; RTA_TABLE is the truth
        }
        byte[] dst = reply.attribute(RTMSG_LEN, RTA_DST);
        String destination = dst == null ? (family == 6 ? "::" : "0.0.0.0") : Addresses.text(dst);
        byte[] priority = reply.attribute(RTMSG_LEN, RTA_PRIORITY);
        int metric = priority != null && priority.length >= 4 ? ByteBuffer.wrap(priority).order(HOST).getInt() : 0;
        byte[] multipath = reply.attribute(RTMSG_LEN, RTA_MULTIPATH);
        List<Route> routes = new ArrayList<>();
        if (multipath != null) {
            // struct rtnexthop { u16 rtnh_len; u8 flags; u8 hops; s32 rtnh_ifindex; } followed by attributes
            ByteBuffer hops = ByteBuffer.wrap(multipath).order(HOST);
            int offset = 0;
            while (offset + RTNH_LEN <= multipath.length) {
                int length = hops.getShort(offset) & 0xffff;
                if (length < RTNH_LEN || offset + length > multipath.length) {
                    break;
                }
                int oif = hops.getInt(offset + 4);
                byte[] gateway = attribute(multipath, offset + RTNH_LEN, offset + length, RTA_GATEWAY);
                routes.add(new Route(family, table, type, destination, dstLen, address(gateway), oif, metric));
                offset += align(length);
            }
            return routes;
        }
        byte[] oif = reply.attribute(RTMSG_LEN, RTA_OIF);
        byte[] gateway = reply.attribute(RTMSG_LEN, RTA_GATEWAY);
        routes.add(new Route(family, table, type, destination, dstLen, address(gateway),
                oif != null && oif.length >= 4 ? ByteBuffer.wrap(oif).order(HOST).getInt() : 0, metric));
        return routes;
    }

    private static InetAddress address(byte[] bytes) {
        if (bytes == null || (bytes.length != 4 && bytes.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes); // no lookup: a literal
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The payload of the first attribute of {@code type} in {@code data[from, to)}, or null. */
    static byte[] attribute(byte[] data, int from, int to, int type) {
        ByteBuffer buffer = ByteBuffer.wrap(data).order(HOST);
        int offset = from;
        while (offset + 4 <= to) {
            int length = buffer.getShort(offset) & 0xffff;
            int attrType = buffer.getShort(offset + 2) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if (length < 4 || offset + length > to) {
                return null;
            }
            if (attrType == type) {
                return Arrays.copyOfRange(data, offset + 4, offset + length);
            }
            offset += align(length);
        }
        return null;
    }

    private static int align(int length) {
        return (length + 3) & ~3; // NLMSG_ALIGN, RTA_ALIGN
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).order(HOST).putInt(value).array();
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }

    /** One netlink message of a reply: its type and the bytes after the header. */
    static final class Message {
        final int type;
        final byte[] payload;

        Message(int type, byte[] payload) {
            this.type = type;
            this.payload = payload;
        }

        byte[] attribute(int headerLength, int attributeType) {
            return NetlinkRoutes.attribute(payload, align(headerLength), payload.length, attributeType);
        }
    }

    /** A request under construction: nlmsghdr, the family header, then attributes. */
    private static final class Request {
        final int type;
        final int flags;
        final ByteBuffer body = ByteBuffer.allocate(256).order(HOST);

        Request(int type, int flags) {
            this.type = type;
            this.flags = flags;
        }

        /** struct rtmsg { family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags } */
        void putRtmsg(int family, int dstLen, int rtmFlags) {
            body.put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0)
                    .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).putInt(rtmFlags);
        }

        void attribute(int attributeType, byte[] value) {
            body.putShort((short) (4 + value.length)).putShort((short) attributeType).put(value);
            while (body.position() % 4 != 0) {
                body.put((byte) 0);
            }
        }

        byte[] bytes(int seq) {
            int length = NLMSG_HDRLEN + body.position();
            ByteBuffer message = ByteBuffer.allocate(length).order(HOST);
            message.putInt(length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
            message.put(body.array(), 0, body.position());
            return message.array();
        }
    }

    /**
     * Sends one request and collects the reply messages: a single answer, or the parts of a dump up to
     * {@code NLMSG_DONE}. An {@code NLMSG_ERROR} with a non-zero code becomes an {@link ErrnoException}.
     */
    private List<Message> exchangeOrFail(Request request, String what) throws ErrnoException {
        try {
            return exchange(request, what);
        } catch (NetlinkErrorException e) {
            throw new ErrnoException(what, e.errno());
        }
    }

    private List<Message> exchange(Request request, String what) throws ErrnoException, NetlinkErrorException {
        int seq = sequence.incrementAndGet();
        try (NetlinkTransport.Connection connection = transport.open()) {
            byte[] bytes = request.bytes(seq);
            try {
                connection.send(bytes);
            } catch (ErrnoException e) {
                throw new ErrnoException(what, e.errno());
            }
            boolean dump = (request.flags & NLM_F_DUMP) == NLM_F_DUMP;
            List<Message> messages = new ArrayList<>();
            byte[] buffer = new byte[RECEIVE_BUFFER];
            while (true) {
                int received = receive(connection, buffer, what);
                ByteBuffer in = ByteBuffer.wrap(buffer, 0, received).order(HOST);
                int offset = 0;
                boolean multi = false;
                while (offset + NLMSG_HDRLEN <= received) {
                    int length = in.getInt(offset);
                    int type = in.getShort(offset + 4) & 0xffff;
                    int flags = in.getShort(offset + 6) & 0xffff;
                    int messageSeq = in.getInt(offset + 8);
                    if (length < NLMSG_HDRLEN || offset + length > received) {
                        throw new ErrnoException(what + " (malformed reply)", Errno.EINVAL);
                    }
                    multi |= (flags & NLM_F_MULTI) != 0;
                    if (messageSeq == seq) {
                        if (type == NLMSG_DONE) {
                            return messages;
                        }
                        if (type == NLMSG_ERROR) {
                            int error = in.getInt(offset + NLMSG_HDRLEN); // struct nlmsgerr { int error; ... }
                            if (error != 0) {
                                throw new NetlinkErrorException(what, -error);
                            }
                            return messages; // an ACK
                        }
                        messages.add(new Message(type,
                                Arrays.copyOfRange(buffer, offset + NLMSG_HDRLEN, offset + length)));
                    }
                    offset += align(length);
                }
                if (!dump && !multi && !messages.isEmpty()) {
                    return messages;
                }
            }
        }
    }

    private static int receive(NetlinkTransport.Connection connection, byte[] buffer, String what)
            throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            try {
                return connection.receive(buffer);
            } catch (ErrnoException e) {
                if (e.errno() == EINTR && attempt < 3) {
                    continue;
                }
                throw new ErrnoException(what + (e.errno() == EAGAIN ? " (no answer within " + TIMEOUT_MILLIS
                        + " ms)" : ""), e.errno());
            }
        }
    }

    /** SO_RCVTIMEO takes a struct timeval { long tv_sec; long tv_usec; } (two C longs: 8 bytes each on 64-bit). */
    static byte[] timeval() {
        boolean longIs8 = !"32".equals(System.getProperty("sun.arch.data.model"));
        ByteBuffer timeval = ByteBuffer.allocate(longIs8 ? 16 : 8).order(HOST);
        long seconds = TIMEOUT_MILLIS / 1000;
        long micros = (TIMEOUT_MILLIS % 1000) * 1000L;
        if (longIs8) {
            timeval.putLong(seconds).putLong(micros);
        } else {
            timeval.putInt((int) seconds).putInt((int) micros);
        }
        return timeval.array();
    }
}
