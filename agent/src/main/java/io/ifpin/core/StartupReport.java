package io.ifpin.core;

import io.ifpin.audit.AuditLog;
import io.ifpin.config.IfpinConfig;
import io.ifpin.log.LogLevel;
import io.ifpin.diag.InterfaceReport;
import io.ifpin.diag.RpFilter;
import io.ifpin.instrument.NativeTransportInstrumentation;
import io.ifpin.instrument.SocketInstrumentation;
import io.ifpin.log.IfpinLog;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.Routes;
import io.ifpin.os.SocketOptions;
import io.ifpin.pin.KernelVersion;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an agent that pins tells the operator once it is ready, on {@code ifpin-init} before any socket is released
 * (docs/dev/architecture.md, "Startup order"). Sized for configs of thousands of rules on a few interfaces: rules are
 * listed up to {@link #RULES_LISTED}, interfaces once each. The one line of a config with nothing to pin is
 * {@link ConfigStage}'s: that premain loads no class it does not need. Loops, not lambdas or streams: a socket
 * held until ifpin is ready waits for this too, and each lambda spins a class at its first use.
 */
final class StartupReport {

    private StartupReport() {
    }

    /**
     * The startup lines of an agent that pins: one INFO line (version, mode, rules, default, interfaces, paths,
     * self-test, native access, time), an INFO line per interface, a WARN per missing interface, an ERROR per socket
     * path not covered.
     */
    static void log(IfpinConfig config, SocketOptions sockets, List<String> uncovered, List<String> nettyCopies,
                    Map<String, String> selfTest, long startupMillis, Routes routes, AuditLog audit) {
        List<String> interfaces = interfaceNames(sockets);
        Map<String, List<Rule>> byInterface = pinRulesByInterface(config);
        List<String> rules = new ArrayList<>();
        for (Rule rule : config.rules().rules()) {
            rules.add(rule.describe());
        }
        IfpinLog.info("ifpin " + Version.current() + " on Java " + Runtime.version() + ", " + KernelVersion.running()
                + ": " + (config.observing() ? OBSERVE_MODE + "; " : "") + rules.size() + " rule(s) from "
                + config.source() + " " + firstFew(rules)
                + "; unmatched sockets: " + config.defaultRule().target() + policySummary(config, audit) + "; interfaces "
                + interfaces + "; pinning " + SocketInstrumentation.pathDescriptions() + " and "
                + NativeTransportInstrumentation.description() + (nettyCopies.isEmpty() ? "" : " " + nettyCopies)
                + "; self-test " + selfTestLine(byInterface, selfTest) + "; system calls through "
                + sockets.implementation() + "; ready in " + startupMillis + " ms");
        logInterfaces(byInterface, routes);
        for (List<Rule> group : byInterface.values()) {
            Rule rule = group.get(0);
            // A rule that follows links says which interface it uses when the link monitor has looked.
            if (!interfaces.isEmpty() && !interfaces.contains(rule.interfaceName()) && !rule.followsLinks()) {
                IfpinLog.warn("rule '" + rule.name() + "' (" + rule.origin() + ")" + alsoNamed(group)
                        + " names interface '"
                        + rule.interfaceName() + "', which does not exist in this network namespace now"
                        + " (interfaces: " + String.join(", ", interfaces) + "). Until it appears, its sockets fail"
                        + " with ENODEV and " + (rule.onError() == OnError.FAIL_CLOSED ? "are refused (fail-closed)"
                        : "proceed unpinned") + ". Fix: correct the name, or ignore this if the interface comes up"
                        + " later (a VPN).");
            }
        }
        for (String path : uncovered) {
            IfpinLog.error("socket path not covered on Java " + Runtime.version() + ": " + path
                    + "; sockets opened this way are NOT pinned. Please report this with your Java version.");
        }
    }

    /** How the startup line says {@code ifpin.mode = observe}, plainly and first. */
    static final String OBSERVE_MODE = "observe mode: every socket is decided, logged, counted and audited as"
            + " would-pin/would-deny/would-allow, and none is pinned or refused";

    /** Rules listed by name in the startup line; the rest are counted (`check` lists them all). */
    static final int RULES_LISTED = 20;

    /** The first {@link #RULES_LISTED} items, then how many more. */
    static String firstFew(List<String> items) {
        if (items.size() <= RULES_LISTED) {
            return items.toString();
        }
        List<String> shown = new ArrayList<>(items.subList(0, RULES_LISTED));
        shown.add("... and " + (items.size() - RULES_LISTED) + " more (java -jar ifpin-agent.jar check <config> lists"
                + " them all)");
        return shown.toString();
    }

    /** The pin rules grouped by their interface, interfaces in the order their first rule appears. */
    static Map<String, List<Rule>> pinRulesByInterface(IfpinConfig config) {
        Map<String, List<Rule>> groups = new LinkedHashMap<>();
        for (Rule rule : config.pinRules()) {
            for (String name : rule.interfaces()) { // each of a list: the report and self-test cover them all
                List<Rule> group = groups.get(name);
                if (group == null) {
                    group = new ArrayList<>();
                    groups.put(name, group);
                }
                group.add(rule);
            }
        }
        return groups;
    }

    /** {@code " (and 3 more rules)"} after the first rule of {@code group} when the group has others; else empty. */
    static String alsoNamed(List<Rule> group) {
        int others = group.size() - 1;
        return others == 0 ? "" : " (and " + others + " more rule" + (others == 1 ? "" : "s") + ")";
    }

    /** The optional policy features in force, for the startup line; empty when none. */
    private static String policySummary(IfpinConfig config, AuditLog audit) {
        StringBuilder out = new StringBuilder();
        if (audit != null) {
            out.append("; ").append(audit.describe());
        }
        if (config.reloadInterval().isPresent()) {
            out.append("; reload every ").append(config.reloadInterval().get().toMillis()).append(" ms");
        }
        return out.toString();
    }

    /**
     * Per rule, whether a socket can be pinned to its interface now: {@code [corp -> b0: OK, vpn -> tun0: ENODEV]}.
     * A failure is explained by the WARN/ERROR lines that follow (missing interface) or at the first socket.
     */
    static String selfTestLine(Map<String, List<Rule>> byInterface, Map<String, String> selfTest) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, List<Rule>> entry : byInterface.entrySet()) {
            List<Rule> group = entry.getValue();
            parts.add(group.get(0).name() + alsoNamed(group) + " -> " + entry.getKey() + ": "
                    + selfTest.getOrDefault(entry.getKey(), "not run"));
        }
        return parts.toString();
    }

    /** The interfaces of this network namespace, or none (with a warning) when they cannot be listed. */
    static List<String> interfaceNames(SocketOptions sockets) {
        try {
            return sockets.interfaceNames();
        } catch (ErrnoException e) {
            IfpinLog.warn("cannot list interfaces: " + e.getMessage());
            return List.of();
        }
    }

    /**
     * One INFO line per interface the rules pin to, named by its first rule: its state (exists, up, addresses,
     * default routes, rp_filter). Per interface, not per rule, so that a config of thousands of rules on a few
     * interfaces logs a few lines.
     */
    private static void logInterfaces(Map<String, List<Rule>> byInterface, Routes routes) {
        if (routes == null || !IfpinLog.isEnabled(LogLevel.INFO)) {
            return;
        }
        try {
            List<List<Rule>> groups = new ArrayList<>(byInterface.values());
            List<Rule> firstRules = new ArrayList<>();
            for (List<Rule> group : groups) {
                firstRules.add(group.get(0));
            }
            List<InterfaceReport.Status> statuses = new InterfaceReport(routes, RpFilter.PROC).build(firstRules);
            for (int i = 0; i < statuses.size(); i++) {
                String line = statuses.get(i).toLine(); // "rule '<name>' -> interface ..."
                int afterName = line.indexOf("' -> interface '") + 1;
                IfpinLog.info(line.substring(0, afterName) + alsoNamed(groups.get(i)) + line.substring(afterName));
            }
        } catch (Throwable t) {
            IfpinLog.debug("interface report failed: " + t);
        }
    }
}
