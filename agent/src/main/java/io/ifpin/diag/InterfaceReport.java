package io.ifpin.diag;

import io.ifpin.os.Addresses;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.Routes;
import io.ifpin.os.Routes.Link;
import io.ifpin.os.Routes.Route;
import io.ifpin.rules.Rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of each rule's interface, as ifpin sees it: exists, up, addresses, routes (default route per family),
 * rp_filter. Logged at startup (one INFO line per interface, for its first rule) and meant for the {@code check}
 * command, which renders the same records its own way. Does I/O (netlink, /proc): not for an application thread.
 */
public final class InterfaceReport {

    private final Routes routes;
    private final RpFilter.Sysctl sysctl;

    public InterfaceReport(Routes routes, RpFilter.Sysctl sysctl) {
        this.routes = routes;
        this.sysctl = sysctl;
    }

    /**
     * Routes of one family through the interface.
     *
     * @param defaultVia the gateways of its default routes; "" for a default route without gateway
     *                   (point-to-point)
     * @param routeCount the other routes through the interface (its subnets, routes to networks), every table but
     *                   {@code local}
     */
    public record FamilyRoutes(List<String> defaultVia, int routeCount) {

        public boolean hasDefault() {
            return !defaultVia.isEmpty();
        }

        String describe(String family) {
            if (hasDefault()) {
                List<String> via = new ArrayList<>();
                for (String gateway : defaultVia) {
                    via.add(gateway.isEmpty() ? "(no gateway)" : gateway);
                }
                return family + " yes (via " + String.join(", ", via) + ")";
            }
            return family + " no (" + routeCount + (routeCount == 1 ? " other route" : " other routes") + ")";
        }
    }

    /**
     * One rule's interface.
     *
     * @param ifIndex   0 when the interface does not exist
     * @param flags     {@code ifi_flags}; 0 when unknown
     * @param ipv4      null when the routes could not be read
     * @param rpFilter  null when unknown (no such interface, no /proc)
     * @param problem   why some of the above could not be read, or null
     */
    public record Status(String ruleName, String ruleOrigin, String interfaceName, int ifIndex, boolean up,
                         int flags, List<String> addresses, FamilyRoutes ipv4, FamilyRoutes ipv6,
                         RpFilter.Setting rpFilter, String problem) {

        public boolean exists() {
            return ifIndex > 0;
        }

        /** The startup log line (without the {@code [ifpin] INFO} prefix). */
        public String toLine() {
            StringBuilder line = new StringBuilder("rule '").append(ruleName).append("' -> interface '")
                    .append(interfaceName).append("': ");
            if (!exists()) {
                return line.append("does not exist in this network namespace now").toString();
            }
            line.append(up ? "up" : "DOWN").append(", addresses ").append(addresses);
            line.append(", default route ");
            if (ipv4 == null || ipv6 == null) {
                line.append("unknown");
            } else {
                line.append(ipv4.describe("IPv4")).append(", ").append(ipv6.describe("IPv6"));
            }
            line.append(", rp_filter ").append(rpFilter == null ? "unknown" : rpFilter.describe());
            if (problem != null) {
                line.append(" (").append(problem).append(")");
            }
            return line.toString();
        }
    }

    /** One status per rule, in config order. */
    public List<Status> build(List<Rule> rules) {
        List<Route> table4 = null;
        List<Route> table6 = null;
        String problem = null;
        try {
            table4 = routes.routes(4);
            table6 = routes.routes(6);
        } catch (ErrnoException | RuntimeException e) {
            problem = "cannot read routes: " + e.getMessage();
        }
        // Read each interface once: a config of thousands of rules names a handful of interfaces.
        Map<String, Status> byInterface = new HashMap<>();
        List<Status> statuses = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule.interfaceName() == null) {
                continue; // a source address and/or a mark only: no interface to report
            }
            Status known = byInterface.get(rule.interfaceName());
            Status status = known == null ? status(rule, table4, table6, problem)
                    : new Status(rule.name(), rule.origin(), known.interfaceName(), known.ifIndex(), known.up(),
                            known.flags(), known.addresses(), known.ipv4(), known.ipv6(), known.rpFilter(),
                            known.problem());
            byInterface.putIfAbsent(rule.interfaceName(), status);
            statuses.add(status);
        }
        return statuses;
    }

    private Status status(Rule rule, List<Route> table4, List<Route> table6, String routeProblem) {
        String name = rule.interfaceName();
        int index = routes.interfaceIndex(name);
        if (index <= 0) {
            return new Status(rule.name(), rule.origin(), name, 0, false, 0, List.of(), null, null, null, null);
        }
        String problem = routeProblem;
        Link link = null;
        List<String> addresses = List.of();
        try {
            link = routes.link(index);
            addresses = routes.addresses(index);
        } catch (ErrnoException | RuntimeException e) {
            problem = (problem == null ? "" : problem + "; ") + "cannot read the link: " + e.getMessage();
        }
        return new Status(rule.name(), rule.origin(), name, index, link != null && link.isUp(),
                link == null ? 0 : link.flags(), addresses, summary(table4, index), summary(table6, index),
                RpFilter.read(sysctl, name), problem);
    }

    static FamilyRoutes summary(List<Route> table, int index) {
        if (table == null) {
            return null;
        }
        List<String> defaultVia = new ArrayList<>();
        int count = 0;
        for (Route route : table) {
            if (route.oif() != index) {
                continue;
            }
            count++;
            if (route.isDefault()) {
                defaultVia.add(route.gateway() == null ? "" : Addresses.text(route.gateway()));
            }
        }
        return new FamilyRoutes(List.copyOf(defaultVia), count - defaultVia.size());
    }
}
