package io.ifpin.diag;

import io.ifpin.os.Addresses;
import io.ifpin.os.Errno;
import io.ifpin.log.IfpinLog;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.NetlinkErrorException;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.Routes;
import io.ifpin.os.Routes.Link;
import io.ifpin.os.Routes.Route;
import io.ifpin.os.Routes.RouteAnswer;
import io.ifpin.rules.Rule;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The routing trap, decided: does a socket pinned to an interface have a route to its destination through that
 * interface? Asks the kernel exactly what {@code ip route get <dst> oif <if>} asks and reads the answer:
 *
 * <ul>
 *   <li>a route from a real table (main = 254, or any policy-routing table): fine, also for a destination inside
 *       the interface's own subnet (a connected route);</li>
 *   <li>IPv4, table 0: the kernel found no route through the interface and assumed the destination is on its link
 *       ({@code ip_route_output_key_hash_rcu}); connects ARP for the destination, hang about 3 s, then fail with
 *       {@code EHOSTUNREACH};</li>
 *   <li>IPv6, {@code ENETUNREACH}: no route; connects fail at once.</li>
 * </ul>
 *
 * The fix names a gateway only when the routing table shows one on that interface (a route via it); ifpin never
 * guesses one from the subnet or the neighbour table.
 *
 * <p>Does I/O (netlink): run it on ifpin's own thread, never on the application's.
 */
public final class RouteCheck {

    /** What the fix suggests when the existing default routes leave room below it. */
    static final int SUGGESTED_METRIC = 200;

    private final Routes routes;

    public RouteCheck(Routes routes) {
        this.routes = routes;
    }

    Routes routes() {
        return routes;
    }

    /** True when the interface exists in this network namespace now ({@code if_nametoindex}). */
    public boolean interfaceExists(String interfaceName) {
        return routes.interfaceIndex(interfaceName) > 0;
    }

    /**
     * @return the warning (one line, without the {@code [ifpin] WARN} prefix), or null when the destination has a
     *         route through the interface, when the interface does not exist (ENODEV is reported elsewhere), or
     *         when netlink cannot be used (logged at DEBUG)
     */
    public String check(Rule rule, String interfaceName, InetAddress destination) {
        InetAddress dst = normalize(destination);
        boolean ipv6 = !(dst instanceof Inet4Address);
        int ifIndex = routes.interfaceIndex(interfaceName);
        if (ifIndex <= 0) {
            return null; // no such interface: the startup WARN and the ENODEV error say so
        }
        RouteAnswer answer;
        try {
            answer = routes.routeGet(dst, ifIndex);
        } catch (NetlinkErrorException e) {
            return failedLookup(rule, interfaceName, ifIndex, dst, ipv6, e.errno());
        } catch (ErrnoException e) {
            // Not the kernel's answer: the question could not be asked (netlink refused by a seccomp filter, ...).
            IfpinLog.debug("route check for rule '" + rule.name() + "' skipped: " + e.getMessage());
            return null;
        }
        if (!answer.assumedOnLink()) {
            return null;
        }
        Link link = link(ifIndex);
        if (link != null && !link.isUp()) {
            return down(rule, interfaceName, dst);
        }
        return head(rule, interfaceName, dst) + ": the kernel assumes " + text(dst) + " is on " + interfaceName
                + "'s link and sends ARP requests for it, so connects will hang, then fail with EHOSTUNREACH"
                + " (No route to host), unless a host on that link answers ARP for it."
                + confirm(interfaceName, dst, ipv6, " (no 'via').") + " " + fix(interfaceName, ifIndex, dst,
                ipv6, link);
    }

    /**
     * Whether the interface has a route to {@code destination}, decided as {@link #check} decides: false for IPv4's
     * on-link assumption (table 0) and for a failed lookup. True when the question cannot be asked (no such
     * interface, netlink unusable): that is reported elsewhere.
     */
    public boolean hasRoute(String interfaceName, InetAddress destination) {
        int ifIndex = routes.interfaceIndex(interfaceName);
        if (ifIndex <= 0) {
            return true;
        }
        try {
            return !routes.routeGet(normalize(destination), ifIndex).assumedOnLink();
        } catch (NetlinkErrorException e) {
            return false;
        } catch (ErrnoException e) {
            return true;
        }
    }

    private String failedLookup(Rule rule, String interfaceName, int ifIndex, InetAddress dst, boolean ipv6,
                                int errno) {
        Link link = link(ifIndex);
        if (link != null && !link.isUp()) {
            return down(rule, interfaceName, dst);
        }
        if (errno == NetlinkRoutes.ENETUNREACH) {
            return head(rule, interfaceName, dst) + ": connects fail at once with ENETUNREACH (Network is"
                    + " unreachable)." + confirm(interfaceName, dst, ipv6, " (Network is unreachable).") + " " + fix(interfaceName, ifIndex, dst,
                    ipv6, link);
        }
        return "rule '" + rule.name() + "' (" + rule.origin() + "): the route lookup for " + text(dst)
                + " via interface '" + interfaceName + "' fails with " + errnoName(errno) + ", so connects fail the"
                + " same way (an unreachable, prohibit or blackhole route, or a policy rule)."
                + confirm(interfaceName, dst, ipv6, ".") + " Fix: give " + interfaceName + " a unicast route to "
                + text(dst) + ".";
    }

    private static String head(Rule rule, String interfaceName, InetAddress dst) {
        return "rule '" + rule.name() + "' (" + rule.origin() + "): no route to " + text(dst) + " via interface '"
                + interfaceName + "'";
    }

    private static String down(Rule rule, String interfaceName, InetAddress dst) {
        return "rule '" + rule.name() + "' (" + rule.origin() + "): interface '" + interfaceName + "' is down, so"
                + " connects to " + text(dst) + " fail at once with ENETUNREACH (Network is unreachable). Confirm:"
                + " ip -br link show " + interfaceName + ". Fix: ip link set " + interfaceName + " up (or start"
                + " whatever manages it: a VPN client, NetworkManager).";
    }

    private static String confirm(String interfaceName, InetAddress dst, boolean ipv6, String expected) {
        return " Confirm: ip " + (ipv6 ? "-6 " : "") + "route get " + text(dst) + " oif " + interfaceName + expected;
    }

    /** The command that gives the interface a route, with the gateway the routing table shows for it, if any. */
    String fix(String interfaceName, int ifIndex, InetAddress dst, boolean ipv6, Link link) {
        String ip = ipv6 ? "ip -6 route add " : "ip route add ";
        List<Route> table = routeTable(ipv6);
        int metric = suggestedMetric(table, ifIndex);
        if (link != null && link.isPointToPoint()) {
            return "Fix: " + ip + "default dev " + interfaceName + " metric " + metric + " (a point-to-point device"
                    + " needs no gateway; the metric keeps other traffic on the existing default route).";
        }
        InetAddress gateway = gatewayVia(table, ifIndex, ipv6);
        if (gateway != null) {
            return "Fix: " + ip + "default via " + text(gateway) + " dev " + interfaceName + " metric " + metric
                    + " (a second default route; its higher metric keeps other traffic on the existing one), or"
                    + " only for this network: " + ip + prefixOf(dst) + " via " + text(gateway) + " dev "
                    + interfaceName + ".";
        }
        String placeholder = "<gateway-on-" + interfaceName + ">";
        return "Fix: " + ip + text(dst) + (ipv6 ? "/128" : "/32") + " via " + placeholder + " dev " + interfaceName
                + ", where " + placeholder + " is the router on " + interfaceName + "'s link (no route via "
                + interfaceName + " names one), or a default route via it: " + ip + "default via " + placeholder
                + " dev " + interfaceName + " metric " + metric + ".";
    }

    private List<Route> routeTable(boolean ipv6) {
        try {
            return routes.routes(ipv6 ? 6 : 4);
        } catch (ErrnoException | RuntimeException e) {
            return List.of();
        }
    }

    /** The gateway of a route through the interface: a default route's first, else any route's. */
    static InetAddress gatewayVia(List<Route> table, int ifIndex, boolean ipv6) {
        InetAddress any = null;
        for (Route route : table) {
            if (route.oif() != ifIndex || route.gateway() == null
                    || (route.gateway() instanceof Inet4Address) == ipv6) {
                continue;
            }
            if (route.isDefault()) {
                return route.gateway();
            }
            if (any == null) {
                any = route.gateway();
            }
        }
        return any;
    }

    /**
     * 200, or more when an existing default route (through another interface) already has a metric of 200 or
     * more, e.g. IPv6 routes from router advertisements (1024): the new route must lose against it.
     */
    static int suggestedMetric(List<Route> table, int ifIndex) {
        int metric = SUGGESTED_METRIC;
        for (Route route : table) {
            if (route.isDefault() && route.oif() != ifIndex && route.metric() >= metric) {
                metric = route.metric() + 100;
            }
        }
        return metric;
    }

    private Link link(int ifIndex) {
        try {
            return routes.link(ifIndex);
        } catch (ErrnoException | RuntimeException e) {
            return null;
        }
    }

    /** The destination's /24 (IPv4) or /64 (IPv6) network, for the narrower fix. */
    static String prefixOf(InetAddress dst) {
        byte[] bytes = dst.getAddress();
        int keep = bytes.length == 4 ? 3 : 8;
        for (int i = keep; i < bytes.length; i++) {
            bytes[i] = 0;
        }
        return Addresses.text(bytes) + (bytes.length == 4 ? "/24" : "/64");
    }

    /** An IPv4-mapped IPv6 address (a dual-stack socket's view) as the IPv4 address it means. */
    static InetAddress normalize(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress()); // maps ::ffff:a.b.c.d to Inet4Address
        } catch (UnknownHostException e) {
            return address;
        }
    }

    static String text(InetAddress address) {
        return Addresses.text(address);
    }

    static String errnoName(int errno) {
        if (errno == NetlinkRoutes.ENETUNREACH) {
            return "ENETUNREACH";
        }
        if (errno == NetlinkRoutes.EHOSTUNREACH) {
            return "EHOSTUNREACH";
        }
        return Errno.name(errno);
    }
}
