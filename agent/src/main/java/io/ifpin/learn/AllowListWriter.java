package io.ifpin.learn;

import io.ifpin.config.IfpinConfig;
import io.ifpin.log.Json;
import io.ifpin.rules.Action;
import io.ifpin.rules.CallerPattern;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes the allow-list config from what {@link AuditScan} found: {@code default-action = deny}, then one allow rule
 * per group of destinations (by name or by address) with the same protocol and ports, then the pin rules kept
 * (copied whole from {@code --config}, or one per group of destinations pinned by a rule it does not have). Nothing
 * is widened: a rule names exactly the hosts or addresses, ports and protocol seen, so merging destinations into one
 * rule loses nothing. The output depends only on the decisions read (sorted), so the same input gives the same file.
 *
 * <p>Allow rules come first: each matches only destinations that were allowed, so it cannot take a socket a pin rule
 * decided (a port seen both allowed and pinned, e.g. by a {@code callers} rule, is left to the pin rule and says so).
 */
final class AllowListWriter {

    /** What was written, for the summary. */
    record Result(String text, int allowRules, int keptRules, int pinRules, int destinations) {
        int rules() {
            return allowRules + keptRules + pinRules;
        }
    }

    private final Set<String> names = new HashSet<>();

    static Result write(AuditScan scan, IfpinConfig existing, List<String> inputs) {
        return new AllowListWriter().build(scan, existing, inputs);
    }

    private Result build(AuditScan scan, IfpinConfig existing, List<String> inputs) {
        Map<String, Rule> copyable = new LinkedHashMap<>();
        if (existing != null) {
            for (Rule rule : existing.rules().rules()) {
                if (rule.action() == Action.PIN && (rule.isInbound() || scan.pinRulesSeen.contains(rule.name()))) {
                    copyable.put(rule.name(), rule);
                }
            }
        }
        // Groups: destinations with the same outcome, protocol, kind (name or address) and ports become one rule.
        Map<String, List<Destination>> allowGroups = new LinkedHashMap<>();
        Map<String, List<Destination>> pinGroups = new LinkedHashMap<>();
        List<String> leftToPin = new ArrayList<>();
        Map<String, Set<Integer>> pinnedPorts = new LinkedHashMap<>();
        for (Destination d : scan.destinations.values()) {
            if (d.key.outcome().pins()) {
                pinnedPorts.computeIfAbsent(d.key.protocol() + "|" + d.key.target(), k -> new TreeSet<>())
                        .addAll(d.ports);
            }
        }
        for (Destination seen : scan.destinations.values()) {
            Destination d = seen;
            Destination.Key key = d.key;
            if (key.outcome().pins()) {
                if (copyable.containsKey(key.outcome().ruleName())
                        && java.util.Objects.equals(key.outcome().interfaceName(), java.util.Objects.requireNonNullElse(
                        copyable.get(key.outcome().ruleName()).interfaceName(), Destination.Outcome.NO_INTERFACE))) {
                    continue; // kept whole
                }
                pinGroups.computeIfAbsent(key.outcome() + "|" + key.protocol() + "|" + key.byName() + "|" + d.ports,
                        k -> new ArrayList<>()).add(d);
                continue;
            }
            Set<Integer> pinned = pinnedPorts.get(key.protocol() + "|" + key.target());
            if (pinned != null && d.ports.stream().anyMatch(pinned::contains)) {
                leftToPin.add(key.target() + " " + key.protocol().label() + " " + PortRanges.text(new TreeSet<>(pinned))
                        + " was allowed and pinned: left to the pin rule");
                d = d.without(pinned);
                if (d.ports.isEmpty()) {
                    continue;
                }
            }
            allowGroups.computeIfAbsent(key.protocol() + "|" + key.byName() + "|" + d.ports, k -> new ArrayList<>())
                    .add(d);
        }
        StringBuilder out = new StringBuilder();
        header(out, scan, inputs);
        out.append("ifpin {\n");
        out.append("  # Anything not listed below is refused.\n");
        out.append("  default-action = deny\n");
        if (existing != null && existing.audit().enabled()) {
            out.append("  # Kept from ").append(existing.source()).append(": keep the audit log on while enforcing.\n");
            out.append("  audit.file = ").append(Json.write(existing.audit().file().orElseThrow().toString()))
                    .append("\n");
        } else {
            out.append("  # Keep the audit log on while enforcing (docs/deployment.md):\n");
            out.append("  # audit.file = \"/var/log/ifpin-audit.jsonl\"\n");
        }
        for (String line : leftToPin) {
            out.append("  # ").append(line).append('\n');
        }
        out.append("  rules = [\n");
        for (List<Destination> group : allowGroups.values()) {
            rule(out, group, null);
        }
        for (Rule rule : copyable.values()) {
            copy(out, rule);
        }
        for (List<Destination> group : pinGroups.values()) {
            rule(out, group, group.get(0).key.outcome());
        }
        out.append("  ]\n}\n");
        return new Result(out.toString(), allowGroups.size(), copyable.size(), pinGroups.size(),
                scan.destinations.size());
    }

    private static void header(StringBuilder out, AuditScan scan, List<String> inputs) {
        out.append("# ifpin allow-list learned by `java -jar ifpin-agent.jar learn` from ").append(scan.decisions)
                .append(" decision(s)");
        if (scan.first != null) {
            out.append(", ").append(scan.first).append(" to ").append(scan.last);
        }
        out.append(",\n# in ").append(String.join(", ", new TreeSet<>(inputs))).append(".\n");
        out.append("# Review it before enforcing: each rule is what the application did; everything else is refused.\n");
        out.append("# Nothing is widened: each rule names exactly the host names (as the application asked for them)\n");
        out.append("# or addresses, the ports and the protocol seen.\n");
        if (scan.droppedDecisions > 0 || scan.droppedRecords > 0) {
            out.append("# WARNING: the audit logs say ").append(scan.droppedDecisions).append(" decision(s) were")
                    .append(" dropped (").append(scan.droppedRecords).append(" \"dropped\" record(s)): destinations")
                    .append(" seen only then are missing here.\n");
        }
        if (scan.malformed > 0) {
            out.append("# ").append(scan.malformed).append(" malformed line(s) were skipped.\n");
        }
    }

    /** One learned rule: allow ({@code pin == null}) or pin to the outcome's interface. */
    private void rule(StringBuilder out, List<Destination> group, Destination.Outcome pin) {
        Destination firstOf = group.get(0);
        Destination.Key key = firstOf.key;
        out.append("    # ").append(pin == null ? "allowed" : "pinned to '" + pin.interfaceName() + "' by rule '"
                + pin.ruleName() + "'" + (Rule.DEFAULT_NAME.equals(pin.ruleName()) ? "" : " (give --config <file>"
                + " to keep that rule whole)")).append(":\n");
        List<String> targets = new ArrayList<>();
        for (Destination d : group) {
            out.append("    #   ").append(d.comment()).append('\n');
            targets.add(Json.write(d.key.target()));
        }
        String target = key.byName() ? key.target() : key.target().substring(0, key.target().indexOf('/'));
        String base = (pin == null ? "allow-" : "pin-") + target + "-" + key.protocol().label()
                + (group.size() > 1 ? "-and-" + (group.size() - 1) + "-more" : "");
        out.append("    { name = ").append(Json.write(uniqueName(base)));
        out.append(key.byName() ? ", hosts = [" : ", cidrs = [").append(String.join(", ", targets)).append("]");
        out.append(", ports = ").append(PortRanges.hocon(firstOf.ports));
        out.append(", protocols = [").append(key.protocol().label()).append("]");
        if (pin == null) {
            out.append(", action = allow }\n");
        } else if (pin.interfaceName().isEmpty()) {
            // A rule with only a source or a mark: audit lines name them, but learn keeps only the interface. Not
            // written as a rule (it would pin nothing): with default-action = deny these sockets are refused until
            // the rule is copied whole.
            out.append(" } # NOT a rule: rule '").append(pin.ruleName()).append("' gives these sockets a source or a"
                    + " mark; give --config <file> to keep it whole\n");
            int start = out.lastIndexOf("    { name = ");
            out.insert(start, "    #");
        } else {
            out.append(", interface = ").append(Json.write(pin.interfaceName())).append(" }\n");
        }
    }

    /** A rule of {@code --config}, whole: it pins (and so allows) everything it matches, not only what was seen. */
    private void copy(StringBuilder out, Rule rule) {
        out.append("    # kept from ").append(rule.origin()).append(rule.isInbound() ? " (a listener rule)"
                : ": it pins, and so allows, everything it matches, not only what was seen").append('\n');
        out.append("    { name = ").append(Json.write(uniqueName(rule.name())));
        if (rule.isInbound()) {
            out.append(", direction = ").append(rule.direction().label());
        }
        if (!rule.hosts().isEmpty()) {
            out.append(", hosts = ").append(list(rule.hosts()));
        }
        if (!rule.cidrs().isEmpty()) {
            out.append(", cidrs = ").append(list(rule.cidrs()));
        }
        if (!rule.ports().isAll()) {
            List<String> ports = new ArrayList<>();
            for (String range : rule.ports().toString().split(", ")) {
                ports.add(range.contains("-") ? Json.write(range) : range);
            }
            out.append(", ports = [").append(String.join(", ", ports)).append("]");
        }
        if (rule.protocols().size() < Protocol.values().length) {
            List<String> protocols = new ArrayList<>();
            for (Protocol protocol : rule.protocols()) {
                protocols.add(protocol.label());
            }
            out.append(", protocols = [").append(String.join(", ", protocols)).append("]");
        }
        if (rule.hasCallers()) {
            List<String> callers = new ArrayList<>();
            for (CallerPattern caller : rule.callers()) {
                callers.add(caller.toString());
            }
            out.append(", callers = ").append(list(callers));
        }
        if (rule.hasDns()) {
            List<String> servers = new ArrayList<>();
            for (Object server : rule.dnsServers()) {
                servers.add(server.toString());
            }
            out.append(", dns = ").append(list(servers));
        }
        if (rule.interfaceName() != null) {
            out.append(", interface = ").append(Json.write(rule.interfaceName()));
        }
        if (rule.source() != null) {
            List<String> sources = new ArrayList<>();
            for (java.net.InetAddress address : rule.source().addresses()) {
                sources.add(io.ifpin.os.Addresses.text(address));
            }
            out.append(", source = ").append(list(sources));
        }
        if (rule.mark() != null) {
            out.append(", mark = ").append(rule.mark().value());
        }
        // A dns rule's own on-error = fail-open also lets its names fall back to the system resolver: written only
        // when the rule had it, so that copying never widens that.
        if (!(rule.hasDns() && rule.onError() == OnError.FAIL_OPEN && !rule.dnsFallback())) {
            out.append(", on-error = ").append(rule.onError().label());
        }
        out.append(" }\n");
    }

    private static String list(List<String> items) {
        List<String> quoted = new ArrayList<>();
        for (String item : items) {
            quoted.add(Json.write(item));
        }
        return "[" + String.join(", ", quoted) + "]";
    }

    /** Letters, digits, '.', '-', '_' (an IPv6 address's ':' and a prefix's '/' become '-'); unique. */
    private String uniqueName(String base) {
        String clean = base.replaceAll("[^A-Za-z0-9._-]", "-");
        String name = clean;
        for (int n = 2; !names.add(name); n++) {
            name = clean + "-" + n;
        }
        return name;
    }
}
