package io.ifpin.learn;

import io.ifpin.rules.Cidr;
import io.ifpin.rules.HostPattern;
import io.ifpin.rules.InvalidValueException;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads audit logs ({@code AuditRecord} lines, {@code "dropped"} records) into the destinations the application
 * reached. A line that is not a whole audit record (a crash cut it, someone edited the file) is skipped and counted,
 * never fatal. What is learned from each decision:
 * <ul>
 * <li>{@code allow} decisions, and {@code would-deny} of the default rule (observe mode: the application reached
 *     it), become allowed destinations;</li>
 * <li>{@code pin} decisions, whatever their result, keep their interface (and their rule, when it is copied);</li>
 * <li>decisions of a {@code deny} rule, and sockets the default refused while enforcing, are not learned
 *     (counted): the application did not reach them, or the operator's rule says it must not;</li>
 * <li>listener lines (no remote end) are counted: default-action does not apply to listeners, and their inbound
 *     rules are only kept by copying them ({@code --config}).</li>
 * </ul>
 */
final class AuditScan {
    /** A progress line on stderr every this many lines. */
    static final long PROGRESS_EVERY = 100_000;

    final Map<Destination.Key, Destination> destinations = new TreeMap<>();
    final TreeSet<String> pinRulesSeen = new TreeSet<>();
    long lines;
    long decisions;
    long malformed;
    long droppedRecords;
    long droppedDecisions;
    long notLearned;
    long listeners;
    long lookups;
    Instant first;
    Instant last;
    /** The first few malformed lines, for the summary: file:line and why. */
    final java.util.List<String> malformedExamples = new java.util.ArrayList<>();

    private final PrintStream progress;

    AuditScan(PrintStream progress) {
        this.progress = progress;
    }

    /** Reads one file (any bytes: invalid UTF-8 is replaced, and the line is then likely malformed). */
    void read(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                decoder))) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                lines++;
                if (lines % PROGRESS_EVERY == 0) {
                    progress.println("ifpin learn: " + lines + " lines read (" + file + " line " + number + ")");
                }
                if (line.isBlank()) {
                    continue;
                }
                try {
                    take(JsonLine.parse(line));
                } catch (IllegalArgumentException e) {
                    malformed++;
                    if (malformedExamples.size() < 3) {
                        malformedExamples.add(file + ":" + number + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void take(Map<String, Object> record) {
        Object event = record.get("event");
        if (event != null) {
            if (!"dropped".equals(event)) {
                throw new IllegalArgumentException("unknown event " + event);
            }
            droppedRecords++;
            droppedDecisions += record.get("count") instanceof Long count ? count : 0;
            return;
        }
        Instant time = time(record);
        String rule = field(record, "rule");
        String action = field(record, "action");
        if ("dns".equals(record.get("protocol"))) {
            lookups++; // a name lookup a rule decided (dns, or deny by host): the connect after it is its own line
            return;
        }
        Protocol protocol = protocol(field(record, "protocol"));
        String result = field(record, "result");
        Object remote = record.get("remote");
        if (remote == null) {
            counted(time);
            listeners++;
            if (action.equals("pin")) {
                pinRulesSeen.add(rule);
            }
            return;
        }
        if (!(remote instanceof String remoteText)) {
            throw new IllegalArgumentException("remote is not a string");
        }
        Destination.Outcome outcome;
        switch (action) {
            case "allow", "deny" -> outcome = Destination.Outcome.ALLOW;
            case "pin" -> {
                // A rule with only a source or a mark pins too (its line has "interface":null): never an allow.
                boolean steered = record.get("interface") == null && (record.containsKey("source")
                        || record.containsKey("mark"));
                outcome = new Destination.Outcome(steered ? Destination.Outcome.NO_INTERFACE
                        : field(record, "interface"), rule);
            }
            default -> throw new IllegalArgumentException("unknown action " + action);
        }
        int colon = remoteText.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("remote " + remoteText + " has no port");
        }
        int port;
        try {
            port = Integer.parseInt(remoteText.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("remote " + remoteText + " has no port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
        String address = remoteText.substring(0, colon);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        Destination.Key key = key(outcome, protocol, record.get("host"), address);
        counted(time); // a whole decision: from here on nothing is malformed
        if (action.equals("deny") && !(Rule.DEFAULT_NAME.equals(rule) && result.equals("would-deny"))) {
            notLearned++;
            return;
        }
        if (outcome.pins()) {
            pinRulesSeen.add(rule);
        }
        destinations.computeIfAbsent(key, Destination::new).seen(port, time);
    }

    private void counted(Instant time) {
        decisions++;
        if (first == null || time.isBefore(first)) {
            first = time;
        }
        if (last == null || time.isAfter(last)) {
            last = time;
        }
    }

    /** By the name the application asked for when it is a valid host name, else by address ({@code /32}, {@code /128}). */
    private static Destination.Key key(Destination.Outcome outcome, Protocol protocol, Object host, String address) {
        if (host instanceof String name && !name.isEmpty()) {
            try {
                HostPattern.parse(name);
                if (!name.startsWith("*.")) {
                    return new Destination.Key(outcome, protocol, true, name.toLowerCase(java.util.Locale.ROOT));
                }
            } catch (InvalidValueException notAName) {
                // a literal the application typed as a name, or a name no rule could hold: by address
            }
        }
        if (address.indexOf('%') >= 0) {
            address = address.substring(0, address.indexOf('%')); // a scope: cidrs have none
        }
        boolean ipv6 = address.indexOf(':') >= 0;
        if (!address.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("not an address: " + address);
        }
        try {
            String cidr = Cidr.parse(address + (ipv6 ? "/128" : "/32")).networkForm();
            return new Destination.Key(outcome, protocol, false, cidr);
        } catch (InvalidValueException e) {
            throw new IllegalArgumentException("not an address: " + address);
        }
    }

    private static Instant time(Map<String, Object> record) {
        try {
            return Instant.parse(field(record, "time"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time is not an instant");
        }
    }

    private static Protocol protocol(String text) {
        if (text.equals("tcp")) {
            return Protocol.TCP;
        }
        if (text.equals("udp")) {
            return Protocol.UDP;
        }
        throw new IllegalArgumentException("unknown protocol " + text);
    }

    private static String field(Map<String, Object> record, String name) {
        if (record.get(name) instanceof String text) {
            return text;
        }
        throw new IllegalArgumentException("no \"" + name + "\"");
    }
}
