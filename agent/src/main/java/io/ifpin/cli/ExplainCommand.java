package io.ifpin.cli;

import io.ifpin.log.Json;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.MarkRouteCheck;
import io.ifpin.diag.RouteCheck;
import io.ifpin.diag.RpFilter;
import io.ifpin.dns.DnsServer;
import io.ifpin.dns.ExplainQuery;
import io.ifpin.dns.NameResolution;
import io.ifpin.os.LinuxSocketsFfm;
import io.ifpin.os.LinuxSocketsJna;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.SocketOptions;
import io.ifpin.os.Routes;
import io.ifpin.os.Addresses;
import io.ifpin.rules.Action;
import io.ifpin.rules.HostNames;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleEvaluation;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code explain <config> <host or ip> [port] [tcp|udp]}: which rule a socket to that destination matches, why
 * (condition by condition, for every rule up to the first match), and which interface it would be pinned to.
 * A name is resolved the way the application would resolve it (system resolver, hosts file); each address is
 * explained, since the application may connect to any of them.
 */
final class ExplainCommand {

    private ExplainCommand() {
    }

    /** @param caller the class that opens the socket, for rules with callers; null when not given */
    static int run(IfpinConfig config, String target, int port, Protocol protocol, String caller, boolean json,
                   PrintStream out) {
        NameResolution names = NameResolution.forRules(config.rules());
        Rule decider = names == null ? null : names.decidingRule(target);
        if (decider != null) {
            return explainLookup(config, target, decider, json, out);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(target); // a literal is parsed, not looked up
        } catch (UnknownHostException e) {
            out.println(json ? Json.write(Map.of("target", target, "error", "cannot resolve " + target))
                    : "ifpin explain: cannot resolve " + target + " (" + e.getMessage() + ")");
            return 1;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (InetAddress address : addresses) {
            results.add(explain(config, address, port, protocol, caller));
        }
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("config", config.source());
            document.put("target", target);
            document.put("port", port < 0 ? null : port);
            document.put("protocol", protocol.label());
            document.put("mode", config.mode().label());
            document.put("addresses", results);
            out.println(Json.write(document));
            return 0;
        }
        out.println("ifpin explain: " + target + (port < 0 ? "" : " port " + port) + " " + protocol.label()
                + " (config " + config.source() + ", " + config.rules().rules().size() + " rules)");
        for (Map<String, Object> result : results) {
            out.println("  address " + result.get("address")
                    + (result.get("host") == null ? " (a literal: only cidrs can match)" : " (name " + result.get("host") + ")"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rules = (List<Map<String, Object>>) result.get("rules");
            for (Map<String, Object> rule : rules) {
                out.println("    rule '" + rule.get("name") + "' (" + rule.get("origin") + "): "
                        + (Boolean.TRUE.equals(rule.get("matches")) ? "MATCH: " : "no: ") + rule.get("reason"));
            }
            out.println("    => " + (config.observing() ? "observe mode, the socket is not touched; enforced it would"
                    + " be: " : "") + result.get("verdict"));
            if (result.get("routeCheck") != null) {
                out.println("    route check: " + result.get("routeCheck"));
            }
        }
        return 0;
    }

    /**
     * A name that a rule with {@code dns} (or a deny rule) decides: which resolver it goes to, and for {@code dns}
     * what the rule's servers answer now, asked by this process over a socket it pins to the rule's interface (never
     * the system resolver: that would be the very leak the rule prevents). When it cannot pin, nothing is sent and the
     * command to ask by hand is printed instead.
     */
    private static int explainLookup(IfpinConfig config, String target, Rule rule, boolean json, PrintStream out) {
        String resolver = rule.hasDns() ? "DNS servers " + rule.dnsServers() + " over interface "
                + rule.interfaceName() + (rule.dnsFallback() ? " (the system resolver when they do not answer:"
                + " on-error = fail-open)" : " (never the system resolver)")
                : "none: the lookup is refused (deny), no query is sent";
        String answer = rule.hasDns() ? askTheRulesServers(rule, target) : null;
        String ask = answer != null && answer.startsWith(NOT_ASKED) ? "dig @"
                + rule.dnsServers().get(0).address().getHostAddress() + (rule.dnsServers().get(0).port()
                == DnsServer.DEFAULT_PORT ? "" : " -p " + rule.dnsServers().get(0).port()) + " -b <an address of "
                + rule.interfaceName() + "> " + target : null;
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("config", config.source());
            document.put("target", target);
            document.put("lookupRule", rule.name());
            document.put("origin", rule.origin());
            document.put("resolver", resolver);
            document.put("answer", answer);
            document.put("ask", ask);
            out.println(Json.write(document));
            return 0;
        }
        out.println("ifpin explain: " + target + " (config " + config.source() + ", " + config.rules().rules().size()
                + " rules)");
        out.println("  name lookup: rule '" + rule.name() + "' (" + rule.origin() + ") decides it: " + resolver);
        if (answer != null) {
            out.println("  answer now (asked by explain itself, over its own socket pinned to " + rule.interfaceName()
                    + "; the application asks the same way): " + answer);
        }
        if (ask != null) {
            out.println("  to ask by hand through the interface: " + ask);
        }
        out.println("  sockets to its addresses: explain <config> <address> [port] shows the rule that pins them");
        return 0;
    }

    private static final String NOT_ASKED = "not asked";

    /** The rule's servers' answer, or why there is none ({@link #NOT_ASKED} when no query could be sent). */
    private static String askTheRulesServers(Rule rule, String target) {
        SocketOptions sockets;
        try {
            sockets = LinuxSocketsFfm.load();
        } catch (Throwable ffm) {
            try {
                sockets = LinuxSocketsJna.load();
            } catch (Throwable jna) {
                return NOT_ASKED + ": no native access to pin a socket (" + jna + ")";
            }
        }
        ExplainQuery.Answer answer = ExplainQuery.ask(rule, target, sockets);
        return answer.asked() ? answer.text() : NOT_ASKED + ": " + answer.text();
    }

    /**
     * What the agent's route check would say for this destination through the rule's interface (the same code,
     * run synchronously), plus the rp_filter warning. "ok" when a route through the interface exists.
     */
    private static String routeCheck(Rule rule, String iface, InetAddress address) {
        Routes routes;
        try {
            routes = NetlinkRoutes.load();
        } catch (RuntimeException | LinkageError e) {
            return "not available (" + e + ")";
        }
        if (rule.interfaceName() == null) { // a source and/or a mark only
            String warning = new MarkRouteCheck(routes).check(rule, null, address);
            return warning != null ? warning : rule.mark() != null ? "ok: mark " + rule.mark() + " selects another"
                    + " routing table than unmarked sockets get" : "no interface to check (source " + rule.source()
                    + " only)";
        }
        RouteCheck check = new RouteCheck(routes);
        if (!check.interfaceExists(iface)) {
            return "interface '" + iface + "' does not exist in this network namespace now: the"
                    + " socket would fail with ENODEV and " + (rule.onError() == OnError.FAIL_CLOSED
                    ? "be refused (on-error = fail-closed)" : "proceed unpinned");
        }
        String warning = check.check(rule, iface, address);
        String markWarning = new MarkRouteCheck(routes).check(rule, iface, address);
        if (markWarning != null) {
            warning = warning == null ? markWarning : warning + " Also: " + markWarning;
        }
        String rpFilter = address instanceof java.net.Inet4Address || Addresses.isIpv4Mapped(address.getAddress())
                ? RpFilter.warning(rule, iface, RpFilter.read(RpFilter.PROC, iface))
                : null;
        if (warning == null && rpFilter == null) {
            return "ok: " + iface + " has a route to this destination";
        }
        return warning == null ? rpFilter : rpFilter == null ? warning : warning + " Also: " + rpFilter;
    }

    private static Map<String, Object> explain(IfpinConfig config, InetAddress address, int port, Protocol protocol,
                                               String caller) {
        String host = HostNames.requestedName(address);
        String literal = Addresses.text(address);
        List<Map<String, Object>> evaluated = new ArrayList<>();
        Rule winner = null;
        for (Rule rule : config.rules().rules()) {
            if (rule.isInbound()) {
                continue; // explain is about a destination; inbound rules pin listeners, never outbound sockets
            }
            RuleEvaluation evaluation = rule.evaluate(address, host, port, protocol);
            boolean matches = evaluation.matches();
            String reason = evaluation.reason(literal, host, port, protocol);
            if (matches && rule.hasCallers()) {
                matches = rule.matchesCaller(caller);
                reason += caller == null ? "; but only for sockets opened by " + rule.callers()
                        + " (give --caller <class> to test one)"
                        : "; callers " + rule.callers() + (matches ? " match " : " do not match ") + caller;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", rule.name());
            entry.put("origin", rule.origin());
            entry.put("matches", matches);
            entry.put("reason", reason);
            evaluated.add(entry);
            if (matches) {
                winner = rule; // first match wins: later rules are never consulted
                break;
            }
        }
        Rule deciding = winner == null ? config.defaultRule() : winner;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("address", literal);
        result.put("host", host);
        result.put("rule", deciding.name());
        result.put("action", deciding.action().label());
        String pinTo = deciding.interfaceName();
        String verdict = verdict(deciding, winner == null);
        if (deciding.followsLinks()) { // the interface it would use now, of its list (issue 15)
            InterfaceChoiceNow.Now now = InterfaceChoiceNow.of(deciding, InterfaceListView.routes());
            pinTo = now.chosen();
            result.put("interfaces", deciding.interfaces());
            result.put("choice", now.why());
            verdict = verdict.replace("pinned to " + deciding.interfaceName() + " ", "pinned to "
                    + (pinTo == null ? "none of " + deciding.interfaces() : pinTo) + " ") + "; " + now.why();
        }
        result.put("interface", pinTo);
        if (deciding.steers()) {
            InetAddress source = deciding.source() == null ? null
                    : deciding.source().forDestination(address instanceof java.net.Inet4Address
                            || Addresses.isIpv4Mapped(address.getAddress()));
            result.put("source", source == null ? null : Addresses.text(source));
            result.put("mark", deciding.mark() == null ? null : deciding.mark().value());
        }
        result.put("verdict", verdict);
        result.put("rules", evaluated);
        // No interface: a mark or a source only, whose route check is the mark's.
        if (deciding.action() == Action.PIN && (pinTo != null || deciding.interfaceName() == null)) {
            result.put("routeCheck", routeCheck(deciding, pinTo, address));
        }
        return result;
    }

    /** What a pinned socket gets besides its interface: {@code "source 203.0.113.7, mark 16 (0x10) "}, or "". */
    private static String steering(Rule rule) {
        if (!rule.steers()) {
            return "";
        }
        return (rule.interfaceName() == null ? "given " : "with ")
                + (rule.source() == null ? "" : "source " + rule.source() + (rule.mark() == null ? " " : ", "))
                + (rule.mark() == null ? "" : "mark " + rule.mark() + " ");
    }

    private static String verdict(Rule rule, boolean byDefault) {
        String by = byDefault ? "no rule matches, so default-action (" + rule.origin() + ")" : "rule '" + rule.name()
                + "'";
        return switch (rule.action()) {
            case PIN -> (rule.interfaceName() == null ? "" : "pinned to " + rule.interfaceName() + " ")
                    + steering(rule) + "by " + by
                    + (rule.onError() == OnError.FAIL_CLOSED ? " (fail-closed)" : "");
            case ALLOW -> byDefault ? "no rule matches: the socket is left as it is (default route)"
                    : "left as it is (default route) by " + by + " (action = allow)";
            case DENY -> "refused by " + by + " (action = deny): the application gets a "
                    + "ConnectException (TCP) or SocketException (UDP) and no packet leaves";
        };
    }
}
