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
         * {@code setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)}: from now on the socket also receives the
         * group's notifications (the link monitor's; a query's socket joins none).
         */
        default void joinGroup(int group) throws ErrnoException {
            throw new ErrnoException("setsockopt(NETLINK_ADD_MEMBERSHIP)", Errno.ENOPROTOOPT);
        }

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
