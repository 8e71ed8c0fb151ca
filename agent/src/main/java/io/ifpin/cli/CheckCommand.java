package io.ifpin.cli;

import io.ifpin.log.Json;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.InterfaceReport;
import io.ifpin.diag.RouteCheck;
import io.ifpin.dns.DnsServer;
import io.ifpin.diag.RpFilter;
import io.ifpin.diag.SteeringCheck;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.Routes;
import io.ifpin.rules.Cidr;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code check <config>}: validates the file (the loader's errors name file, line, key and fix), then reports for
 * each rule the state of its interface in this network namespace, as the agent's startup report does: exists, up,
 * addresses, default routes, rp_filter. A rule by cidrs needs a route through its interface to each of its
 * networks (a directly attached network has one), a rule by hosts a default route. A valid config exits 0 even with
 * warnings (a VPN interface may come up later; the agent treats that as a warning too); {@code --strict} makes
 * warnings fail.
 */
final class CheckCommand {

    private CheckCommand() {
    }

    static int run(IfpinConfig config, boolean json, boolean strict, PrintStream out) {
        return run(config, List.of(), json, strict, out);
    }

    /** @param configWarnings the loader's warnings (a missing plain include), listed first and counted */
    static int run(IfpinConfig config, List<String> configWarnings, boolean json, boolean strict, PrintStream out) {
        Routes routes;
        String unavailable = null;
        try {
            routes = NetlinkRoutes.load();
        } catch (RuntimeException | LinkageError e) {
            routes = null;
            unavailable = "cannot read interfaces and routes: " + e;
        }
        return run(config, configWarnings, json, strict, out, routes, unavailable);
    }

    /** @param routes null when they cannot be read, and {@code unavailable} says why */
    static int run(IfpinConfig config, List<String> configWarnings, boolean json, boolean strict, PrintStream out,
                   Routes routes, String unavailable) {
        List<Rule> pinRules = config.pinRules();
        List<InterfaceReport.Status> statuses = routes == null ? List.of()
                : new InterfaceReport(routes, RpFilter.PROC).build(pinRules);
        Map<Rule, InterfaceReport.Status> statusOf = new IdentityHashMap<>();
        for (int i = 0; i < statuses.size(); i++) {
            statusOf.put(pinRules.get(i), statuses.get(i));
        }
        RouteCheck routeCheck = routes == null ? null : new RouteCheck(routes);
        SteeringCheck steeringCheck = SteeringCheck.here(routes);
        List<Rule> shown = new ArrayList<>(config.rules().rules());
        shown.add(config.defaultRule());
        List<Map<String, Object>> rules = new ArrayList<>();
        List<String> warnings = new ArrayList<>(configWarnings);
        for (Rule rule : shown) {
            InterfaceReport.Status status = statusOf.get(rule);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", rule.name());
            entry.put("origin", rule.origin());
            entry.put("rule", rule.describe());
            entry.put("action", rule.action().label());
            entry.put("interface", rule.interfaceName());
            if (rule.followsLinks()) {
                InterfaceListView.describe(rule, routes, entry);
            }
            if (rule.steers()) {
                entry.put("source", rule.source() == null ? null : rule.source().toString());
                entry.put("mark", rule.mark() == null ? null : rule.mark().value());
            }
            List<String> steeringWarnings = rule.steers() ? steeringCheck.warnings(rule) : List.of();
            if (status == null && rule.steers()) {
                entry.put("warnings", steeringWarnings);
                warnings.addAll(steeringWarnings);
            }
            if (status != null) {
                entry.put("exists", status.exists());
                entry.put("up", status.up());
                entry.put("addresses", status.addresses());
                entry.put("ipv4DefaultVia", status.ipv4() == null ? null : status.ipv4().defaultVia());
                entry.put("ipv6DefaultVia", status.ipv6() == null ? null : status.ipv6().defaultVia());
                entry.put("rpFilter", status.rpFilter() == null ? null : status.rpFilter().effective());
                entry.put("report", status.toLine());
                List<String> ruleWarnings = warnings(rule, status, routeCheck);
                ruleWarnings.addAll(steeringWarnings);
                entry.put("warnings", ruleWarnings);
                warnings.addAll(ruleWarnings);
            }
            rules.add(entry);
        }
        int status = strict && !warnings.isEmpty() ? Cli.PROBLEM : Cli.OK;
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("config", config.source());
            document.put("valid", true);
            document.put("mode", config.mode().label());
            document.put("diagnostics", unavailable == null ? "ok" : unavailable);
            document.put("configWarnings", configWarnings);
            document.put("rules", rules);
            document.put("warnings", warnings.size());
            out.println(Json.write(document));
            return status;
        }
        out.println("ifpin check: " + config.source() + " is valid: " + config.rules().rules().size() + " rule(s)"
                + (config.observing() ? "; observe mode: the agent decides, logs and audits every socket and pins or"
                + " refuses none (ifpin.mode = observe)" : ""));
        for (String warning : configWarnings) {
            out.println("  WARNING: " + warning);
        }
        for (Map<String, Object> rule : rules) {
            out.println("  " + rule.get("rule") + " (" + rule.get("origin") + ")");
            if (rule.containsKey("report")) {
                out.println("    " + rule.get("report"));
                InterfaceListView.print(rule, out);
            }
            if (rule.containsKey("warnings")) {
                @SuppressWarnings("unchecked")
                List<String> ruleWarnings = (List<String>) rule.get("warnings");
                for (String warning : ruleWarnings) {
                    out.println("    WARNING: " + warning);
                }
            }
        }
        if (unavailable != null) {
            out.println("  " + unavailable);
        }
        out.println(warnings.isEmpty() ? "no warnings" : warnings.size() + " warning(s)"
                + (strict ? " (--strict: exit status 1)" : ""));
        return status;
    }

    private static List<String> warnings(Rule rule, InterfaceReport.Status status, RouteCheck routeCheck) {
        List<String> warnings = new ArrayList<>();
        String name = status.interfaceName();
        if (!status.exists() && rule.followsLinks()) {
            warnings.add("interface '" + name + "' does not exist in this network namespace now; until it appears,"
                    + " the rule's sockets use the next of " + rule.interfaces() + " that is up"
                    + (rule.waitForInterfaceMillis() > 0 ? ", or wait for one" : "") + ". Fine if it comes up later"
                    + " (a VPN); otherwise correct the name (ip link lists the interfaces).");
            return warnings;
        }
        if (!status.exists()) {
            warnings.add("interface '" + name + "' does not exist in this network namespace now; until it appears,"
                    + " the rule's sockets fail with ENODEV and " + (rule.onError() == OnError.FAIL_CLOSED
                    ? "are refused (fail-closed)." : "proceed unpinned.") + " Fine if it comes up later (a VPN);"
                    + " otherwise correct the name (ip link lists the interfaces).");
            return warnings;
        }
        if (!status.up()) {
            warnings.add("interface '" + name + "' is down: pinned sockets fail with ENETUNREACH."
                    + " Fix: ip link set " + name + " up");
        }
        // A rule by host name (or by nothing: the default rule) may reach any address; one by cidrs, only its
        // networks, which a route of their own (a directly attached network) serves as well as a default route.
        boolean anyDestination = !rule.hosts().isEmpty();
        List<Cidr> networks = new ArrayList<>();
        for (String text : rule.cidrs()) {
            Cidr cidr = Cidr.parse(text);
            if (cidr.prefixLength() == 0) {
                anyDestination = true;
            } else {
                networks.add(cidr);
            }
        }
        anyDestination |= rule.cidrs().isEmpty();
        boolean noDefault = status.ipv4() != null && status.ipv6() != null
                && !status.ipv4().hasDefault() && !status.ipv6().hasDefault();
        if (anyDestination && noDefault) {
            warnings.add("interface '" + name + "' has no default route: pinned sockets reach only"
                    + " destinations it has a route for (explain <config> <destination> checks one). Fix, if the"
                    + " rule covers other destinations: ip route add default via <gateway> dev " + name
                    + " metric 200");
        }
        if (status.ipv4() != null) { // the routes could be read
            for (Cidr cidr : networks) {
                String warning = noRoute(rule, name, cidr, routeCheck);
                if (warning != null) {
                    warnings.add(warning);
                }
            }
        }
        if (status.ipv4() != null && routeCheck != null) {
            // The rule's DNS queries leave through its interface like its sockets: each server needs a route there.
            for (DnsServer server : rule.dnsServers()) {
                String warning = routeCheck.check(rule, name, server.address());
                if (warning != null) {
                    warnings.add("DNS server " + server + ": " + warning);
                }
            }
        }
        String rpFilter = RpFilter.warning(rule, name, status.rpFilter());
        if (rpFilter != null) {
            warnings.add(rpFilter);
        }
        return warnings;
    }

    /** The warning when the interface has no route to the network (asked for its first address), else null. */
    private static String noRoute(Rule rule, String interfaceName, Cidr cidr, RouteCheck routeCheck) {
        String network = cidr.networkForm();
        String first = network.substring(0, network.indexOf('/'));
        if (routeCheck.hasRoute(interfaceName, literal(first))) {
            return null;
        }
        String ip = cidr.isIpv4() ? "ip " : "ip -6 ";
        return "interface '" + interfaceName + "' has no route to " + network + " (cidrs of rule '" + rule.name()
                + "'): pinned sockets to it " + (cidr.isIpv4() ? "hang on ARP, then fail with EHOSTUNREACH"
                : "fail with ENETUNREACH") + ". Confirm: " + ip + "route get " + first + " oif " + interfaceName
                + ". Fix: " + ip + "route add " + network + " via <gateway> dev " + interfaceName;
    }

    /** An address literal (a network's first address): no name lookup. */
    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + text, e);
        }
    }
}
