package io.ifpin.os;

/**
 * The system calls of rtnetlink, apart from its messages: {@link NetlinkRoutes} builds the requests and parses the
 * replies once, over JNA ({@link NetlinkTransportJna}, Java 17 to 21) or the Foreign Function API
 * ({@link NetlinkTransportFfm}, Java 22+), or over recorded replies in tests.
 */
interface NetlinkTransport {

    /** A {@code NETLINK_ROUTE} socket with a receive timeout of {@link NetlinkRoutes#TIMEOUT_MILLIS}. */
    Connection open() throws ErrnoException;

    /** {@code if_nametoindex}: 0 when there is no such interface. */
    int interfaceIndex(String name);

    /** One socket, for one request and its reply; closed by the caller. */
    interface Connection extends AutoCloseable {

        void send(byte[] message) throws ErrnoException;

        /**
         * Receives one datagram into {@code buffer}, returning its length.
         *
         * @throws ErrnoException with {@code EAGAIN} when nothing came within the timeout, {@code EINTR} when a
         *                        signal interrupted the wait
         */
        int receive(byte[] buffer) throws ErrnoException;

        @Override
        void close();
    }
}
