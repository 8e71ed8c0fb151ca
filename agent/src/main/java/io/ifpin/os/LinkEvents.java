package io.ifpin.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An rtnetlink socket that receives link notifications ({@code RTNLGRP_LINK}: every {@code RTM_NEWLINK} and
 * {@code RTM_DELLINK} of the namespace, as {@code ip monitor link} does) and, on request, a dump of every link.
 * The bytes it receives are parsed by {@link LinkMessages}. Only ifpin's {@code ifpin-links} thread uses it: a
 * receive blocks for up to {@link NetlinkRoutes#TIMEOUT_MILLIS}.
 */
public final class LinkEvents implements AutoCloseable {

    /** linux/socket.h */
    static final int SOL_NETLINK = 270;
    /** linux/netlink.h */
    static final int NETLINK_ADD_MEMBERSHIP = 1;
    /** linux/rtnetlink.h: enum rtnetlink_groups */
    static final int RTNLGRP_LINK = 1;
    /** Dump parts are at most 32 KiB; a notification is one message of a few hundred bytes to a few KiB. */
    public static final int BUFFER_BYTES = 65536;

    private final NetlinkTransport.Connection connection;
    private int sequence = (int) (System.nanoTime() & 0xffff);

    private LinkEvents(NetlinkTransport.Connection connection) {
        this.connection = connection;
    }

    static LinkEvents open(NetlinkTransport transport) throws ErrnoException {
        NetlinkTransport.Connection connection = transport.open();
        try {
            connection.joinGroup(RTNLGRP_LINK);
            return new LinkEvents(connection);
        } catch (ErrnoException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Asks for every link ({@code RTM_GETLINK} with {@code NLM_F_DUMP}); the answers arrive through {@link #receive}
     * among the notifications, and end with {@code NLMSG_DONE} carrying the returned sequence number.
     */
    public int requestDump() throws ErrnoException {
        int seq = ++sequence;
        ByteBuffer message = ByteBuffer.allocate(NetlinkRoutes.NLMSG_HDRLEN + NetlinkRoutes.IFINFOMSG_LEN)
                .order(ByteOrder.nativeOrder());
        message.putInt(message.capacity()).putShort((short) NetlinkRoutes.RTM_GETLINK)
                .putShort((short) (NetlinkRoutes.NLM_F_REQUEST | NetlinkRoutes.NLM_F_DUMP)).putInt(seq).putInt(0);
        message.put((byte) NetlinkRoutes.AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0);
        connection.send(message.array());
        return seq;
    }

    /**
     * One datagram: notifications or parts of a dump.
     *
     * @throws ErrnoException {@code EAGAIN} when nothing came within the timeout (call again), {@code ENOBUFS} when
     *                        the kernel dropped notifications because the socket's buffer was full (dump again)
     */
    public int receive(byte[] buffer) throws ErrnoException {
        return connection.receive(buffer);
    }

    @Override
    public void close() {
        connection.close();
    }

    static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }
}
