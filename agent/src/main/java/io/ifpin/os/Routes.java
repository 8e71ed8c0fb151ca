package io.ifpin.os;

import java.net.InetAddress;
import java.util.List;

/**
 * What ifpin reads from the kernel's routing tables, behind an interface so the diagnostics can be tested without a
 * kernel. Implemented for Linux by {@link NetlinkRoutes}. Every call answers for the calling thread's network
 * namespace.
 */
public interface Routes {

    /** {@code if_nametoindex}: the interface's index, or 0 when there is no such interface. */
    int interfaceIndex(String name);

    /**
     * The route a socket bound to interface {@code ifIndex} gets for {@code destination}: what
     * {@code ip route get <destination> oif <if>} asks ({@code RTM_GETROUTE} with {@code RTA_DST}, {@code RTA_OIF},
     * {@code RTM_F_LOOKUP_TABLE}).
     *
     * @throws NetlinkErrorException the kernel's answer when there is no route at all (IPv6 answers
     *                                {@code ENETUNREACH}, a down interface {@code ENETUNREACH} too)
     * @throws ErrnoException         the question could not be asked (no netlink socket, no answer in time)
     */
    RouteAnswer routeGet(InetAddress destination, int ifIndex) throws ErrnoException, NetlinkErrorException;

    /**
     * {@link #routeGet(InetAddress, int)} for a socket with firewall mark {@code mark} ({@code RTA_MARK}, as
     * {@code ip route get <destination> [oif <if>] mark <mark>}); {@code ifIndex} 0 for a socket bound to no
     * interface. The answer's table says which table the host's {@code ip rule}s chose.
     */
    default RouteAnswer routeGet(InetAddress destination, int ifIndex, long mark)
            throws ErrnoException, NetlinkErrorException {
        if (mark == 0) {
            return routeGet(destination, ifIndex);
        }
        throw new ErrnoException("RTM_GETROUTE with RTA_MARK", Errno.ENOSYS);
    }

    /** The routes of one family ({@code 4} or {@code 6}) in every table except {@code local} (a dump). */
    List<Route> routes(int family) throws ErrnoException;

    /** The interface's link (flags), or null when there is no such interface. */
    Link link(int ifIndex) throws ErrnoException;

    /** The interface's addresses, {@code address/prefix} (a dump filtered by index). */
    List<String> addresses(int ifIndex) throws ErrnoException;

    /**
     * The reply to a route lookup.
     *
     * @param table   the table the route came from; 0 when IPv4 found no route through the interface and assumed
     *                that the destination is on its link ({@code ip_route_output_key_hash_rcu}, "Assume that the
     *                destination is on link", leaves {@code res->table} NULL)
     * @param type    {@code rtm_type} ({@code RTN_UNICAST} = 1, ...)
     * @param gateway null when the route has none
     * @param prefSrc null when the kernel named none
     * @param oif     the outgoing interface's index, 0 when absent
     */
    record RouteAnswer(int table, int type, InetAddress gateway, InetAddress prefSrc, int oif) {

        /** True for IPv4's fabricated on-link answer: no real route through the interface. */
        public boolean assumedOnLink() {
            return table == 0;
        }
    }

    /**
     * One route of a dump; a multipath route yields one entry per next hop.
     *
     * @param prefixLength 0 for a default route
     * @param gateway      null when the route has none (a connected subnet, a point-to-point device)
     * @param metric       {@code RTA_PRIORITY}; 0 when absent
     */
    record Route(int family, int table, int type, String destination, int prefixLength, InetAddress gateway, int oif,
                 int metric) {

        public boolean isDefault() {
            return prefixLength == 0;
        }
    }

    /**
     * @param flags {@code ifi_flags} ({@code IFF_UP} = 0x1, {@code IFF_POINTOPOINT} = 0x10, {@code IFF_LOWER_UP} =
     *              0x10000; linux/if.h)
     */
    record Link(int index, String name, int flags) {

        public boolean isUp() {
            return (flags & 0x1) != 0;
        }

        public boolean isPointToPoint() {
            return (flags & 0x10) != 0;
        }
    }
}
