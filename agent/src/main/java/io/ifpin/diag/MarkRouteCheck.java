package io.ifpin.diag;

import io.ifpin.log.IfpinLog;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.NetlinkErrorException;
import io.ifpin.os.Routes;
import io.ifpin.os.Routes.RouteAnswer;
import io.ifpin.rules.Rule;
import io.ifpin.rules.SocketMark;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Does a rule's mark change anything? Asks the kernel for the route to a destination with the mark and without it
 * ({@code ip route get <dst> mark N}: {@code RTM_GETROUTE} with {@code RTA_MARK}) and compares the tables the host's
 * {@code ip rule}s chose: the same table means no rule catches the mark, and the marked sockets go exactly where they
 * would have gone unmarked. A marked lookup that fails means marked sockets fail too (no route in the mark's table).
 *
 * <p>Does I/O (netlink): run it on ifpin's own thread or in the command-line tools, never on the application's.
 */
public final class MarkRouteCheck {

    private final Routes routes;

    public MarkRouteCheck(Routes routes) {
        this.routes = routes;
    }

    /**
     * @param interfaceName the rule's interface, or null
     * @return the warning (one line, without the {@code [ifpin] WARN} prefix), or null when the mark selects another
     *         table, when the rule has no mark, or when the question cannot be asked (logged at DEBUG)
     */
    public String check(Rule rule, String interfaceName, InetAddress destination) {
        SocketMark mark = rule.mark();
        if (mark == null) {
            return null;
        }
        InetAddress dst = RouteCheck.normalize(destination);
        int ifIndex = interfaceName == null ? 0 : routes.interfaceIndex(interfaceName);
        if (interfaceName != null && ifIndex <= 0) {
            return null; // no such interface: reported elsewhere
        }
        String ip = dst instanceof Inet4Address ? "ip " : "ip -6 ";
        String confirm = " Confirm: " + ip + "rule show; " + ip + "route get " + RouteCheck.text(dst)
                + (interfaceName == null ? "" : " oif " + interfaceName) + " mark " + mark.value() + ".";
        RouteAnswer marked;
        try {
            marked = routes.routeGet(dst, ifIndex, mark.value());
        } catch (NetlinkErrorException e) {
            return head(rule, mark) + " has no route to " + RouteCheck.text(dst) + ": the lookup with the mark fails"
                    + " with " + RouteCheck.errnoName(e.errno()) + ", so marked sockets fail the same way." + confirm
                    + " Fix: give the table that the mark's ip rule names a route to it, e.g. " + ip + "route add"
                    + " default via <gateway> dev <interface> table <table>.";
        } catch (ErrnoException e) {
            IfpinLog.debug("mark route check for rule '" + rule.name() + "' skipped: " + e.getMessage());
            return null;
        }
        RouteAnswer plain;
        try {
            plain = routes.routeGet(dst, ifIndex, 0);
        } catch (NetlinkErrorException e) {
            return null; // unmarked sockets have no route, marked ones have: the mark does its job
        } catch (ErrnoException e) {
            IfpinLog.debug("mark route check for rule '" + rule.name() + "' skipped: " + e.getMessage());
            return null;
        }
        if (marked.table() != plain.table() || marked.assumedOnLink()) {
            return null; // another table; or IPv4's on-link guess through the interface, which RouteCheck reports
        }
        return head(rule, mark) + ": no ip rule catches it for " + RouteCheck.text(dst) + ": the route with the mark"
                + " is the route without it (table " + tableName(marked.table()) + "), so the mark changes nothing."
                + confirm + " Fix: " + ip + "rule add fwmark " + mark.value() + " table <table>, and give that"
                + " table its routes (" + ip + "route add default via <gateway> dev <interface> table <table>).";
    }

    private static String head(Rule rule, SocketMark mark) {
        return "rule '" + rule.name() + "' (" + rule.origin() + "): mark " + mark;
    }

    static String tableName(int table) {
        return switch (table) {
            case 254 -> "main";
            case 253 -> "default";
            case 255 -> "local";
            default -> Integer.toString(table);
        };
    }
}
