package io.ifpin.os;

/**
 * The kernel answered a netlink request with an error ({@code NLMSG_ERROR} with a negative errno): for a route
 * lookup that is its answer ("no route"), unlike an {@link ErrnoException}, which means the question could not be
 * asked (no netlink socket, a timeout).
 */
public final class NetlinkErrorException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public NetlinkErrorException(String request, int errno) {
        super(request + ": the kernel answered errno " + errno, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
