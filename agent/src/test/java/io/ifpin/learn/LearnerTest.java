package io.ifpin.learn;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.rules.Action;
import io.ifpin.rules.CallerLookup;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code learn} on hand-made audit logs (issue 17): what is learned, what is skipped and counted, stability. */
class LearnerTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    private static String decision(String time, String rule, String action, String protocol, String remote,
                                   String host, String iface, String result) {
        return "{\"time\":\"2026-12-01T10:00:" + time + "Z\",\"rule\":\"" + rule + "\",\"action\":\"" + action
                + "\",\"protocol\":\"" + protocol + "\",\"local\":\"0.0.0.0:0\",\"remote\":\"" + remote + "\","
                + "\"host\":" + (host == null ? "null" : "\"" + host + "\"") + ",\"interface\":"
                + (iface == null ? "null" : "\"" + iface + "\"") + ",\"result\":\"" + result + "\",\"errno\":null}";
    }

    /** An observe-mode run, rotated once: the older half in .1. */
    private List<Path> rotatedLogs() throws Exception {
        Path older = dir.resolve("audit.jsonl.1");
        Files.write(older, List.of(
                decision("01", "(default)", "allow", "tcp", "192.0.2.10:443", "api.example", null, "would-allow"),
                decision("02", "(default)", "allow", "tcp", "192.0.2.10:8443", "api.example", null, "would-allow"),
                decision("03", "(default)", "allow", "udp", "198.51.100.53:53", null, null, "would-allow"),
                "{\"time\":\"2026-12-01T10:00:04Z\",\"event\":\"dropped\",\"count\":7,\"total\":7,\"from\":null,\"to\":null}",
                "{\"time\":\"2026-12-01T10:00:05Z\",\"rule\":\"(default)\",\"action\":\"allow\",\"proto"));
        Path current = dir.resolve("audit.jsonl");
        Files.write(current, List.of(
                decision("06", "(default)", "allow", "tcp", "192.0.2.10:443", "api.example", null, "would-allow"),
                decision("07", "(default)", "allow", "tcp", "[2001:db8::7]:9000", null, null, "would-allow"),
                decision("08", "(default)", "allow", "tcp", "[2001:db8::7]:9001", null, null, "would-allow"),
                decision("09", "(default)", "allow", "tcp", "192.0.2.11:443", "www.example", null, "would-allow"),
                decision("10", "(default)", "allow", "tcp", "192.0.2.10:8443", "api.example", null, "would-allow"),
                "not json at all",
                decision("11", "(default)", "allow", "tcp", "192.0.2.12", "x.example", null, "would-allow"),
                "",
                decision("12", "(default)", "allow", "sctp", "192.0.2.12:1", null, null, "would-allow")));
        return List.of(older, current);
    }

    private Learner.Learned learn(List<Path> files, IfpinConfig existing) throws Exception {
        Learner learner = new Learner(new PrintStream(progress, true, StandardCharsets.UTF_8));
        for (Path file : files) {
            learner.read(file);
        }
        return learner.write(existing);
    }

    @Test
    void learnsOneAllowRulePerDestinationByNameOrAddressAndTheResultIsAValidAllowList() throws Exception {
        Learner.Learned learned = learn(rotatedLogs(), null);
        String text = learned.config();
        IfpinConfig config = ConfigLoader.parse(text, "learned.conf");
        assertEquals(Action.DENY, config.defaultRule().action());
        assertTrue(text.contains("{ name = \"allow-api.example-tcp\", hosts = [\"api.example\"], ports = [443, 8443],"
                + " protocols = [tcp], action = allow }"), text);
        assertTrue(text.contains("#   api.example tcp 443, 8443: 4 decisions, first 2026-12-01T10:00:01Z, last"
                + " 2026-12-01T10:00:10Z"), text);
        assertTrue(text.contains("{ name = \"allow-2001-db8--7-tcp\", cidrs = [\"2001:db8::7/128\"],"
                + " ports = [\"9000-9001\"], protocols = [tcp], action = allow }"), text);
        assertTrue(text.contains("cidrs = [\"198.51.100.53/32\"], ports = [53], protocols = [udp]"), text);
        // what was done passes; another name for the same address, another port, another protocol do not
        assertEquals(Action.ALLOW, decide(config, "api.example", "192.0.2.10", 443, Protocol.TCP));
        assertEquals(Action.ALLOW, decide(config, "www.example", "192.0.2.11", 443, Protocol.TCP));
        assertEquals(Action.ALLOW, decide(config, null, "2001:db8::7", 9001, Protocol.TCP));
        assertEquals(Action.ALLOW, decide(config, null, "198.51.100.53", 53, Protocol.UDP));
        assertEquals(Action.DENY, decide(config, "other.example", "192.0.2.10", 443, Protocol.TCP));
        assertEquals(Action.DENY, decide(config, null, "192.0.2.10", 443, Protocol.TCP));
        assertEquals(Action.DENY, decide(config, "api.example", "192.0.2.10", 444, Protocol.TCP));
        assertEquals(Action.DENY, decide(config, null, "198.51.100.53", 53, Protocol.TCP));
        assertEquals(Action.DENY, decide(config, null, "2001:db8::8", 9001, Protocol.TCP));
    }

    @Test
    void malformedLinesAndDroppedRecordsAreSkippedAndCountedNeverFatal() throws Exception {
        Learner.Learned learned = learn(rotatedLogs(), null);
        assertEquals(8L, learned.summary().get("decisions"), learned.summary().toString());
        assertEquals(4L, learned.summary().get("malformed"), "cut short, not JSON, no port, unknown protocol");
        assertEquals(1L, learned.summary().get("droppedRecords"));
        assertEquals(7L, learned.summary().get("droppedDecisions"));
        assertEquals(4, learned.summary().get("destinations"));
        assertTrue(learned.summaryLine().contains("audit.jsonl.1:5: "), learned.summaryLine());
        assertTrue(learned.summaryLine().contains("WARNING: 7 decision(s) were dropped"), learned.summaryLine());
        assertTrue(learned.config().contains("# WARNING: the audit logs say 7 decision(s) were dropped"));
        assertTrue(learned.config().contains("# 4 malformed line(s) were skipped."));
    }

    @Test
    void theSameInputGivesTheSameFileInWhateverOrderTheFilesAreGiven() throws Exception {
        List<Path> files = rotatedLogs();
        String once = learn(files, null).config();
        assertEquals(once, learn(files, null).config());
        assertEquals(once, learn(List.of(files.get(1), files.get(0)), null).config());
    }

    @Test
    void destinationsWithTheSameProtocolAndPortsShareOneRuleAndNothingIsWidened() throws Exception {
        Path log = dir.resolve("a.jsonl");
        Files.write(log, List.of(
                decision("01", "(default)", "allow", "tcp", "192.0.2.1:443", "b.example", null, "allowed"),
                decision("02", "(default)", "allow", "tcp", "192.0.2.2:443", "a.example", null, "allowed"),
                decision("03", "(default)", "allow", "tcp", "192.0.2.3:80", "c.example", null, "allowed")));
        String text = learn(List.of(log), null).config();
        assertTrue(text.contains("{ name = \"allow-a.example-tcp-and-1-more\", hosts = [\"a.example\", \"b.example\"],"
                + " ports = [443], protocols = [tcp], action = allow }"), text);
        assertTrue(text.contains("hosts = [\"c.example\"], ports = [80]"), text);
        assertFalse(text.contains("*."), "never a wildcard");
    }

    @Test
    void pinnedDestinationsKeepTheirRuleDeniedOnesAreNotLearnedAndListenersAreCounted() throws Exception {
        Path log = dir.resolve("pins.jsonl");
        Files.write(log, List.of(
                decision("01", "storage", "pin", "tcp", "203.0.113.5:7000", null, "b0", "would-pin"),
                decision("02", "corp", "pin", "tcp", "203.0.113.6:443", "git.corp.example", "tun0", "pinned"),
                decision("03", "no-meta", "deny", "tcp", "203.0.113.7:80", null, null, "would-deny"),
                decision("04", "(default)", "deny", "tcp", "203.0.113.8:80", null, null, "denied"),
                decision("05", "(default)", "deny", "tcp", "203.0.113.9:80", null, null, "would-deny"),
                decision("05", "corp", "lookup", "dns", "10.8.0.1", "git.corp.example", "tun0", "resolved"),
                "{\"time\":\"2026-12-01T10:00:06Z\",\"rule\":\"in\",\"action\":\"pin\",\"protocol\":\"tcp\","
                        + "\"local\":\"0.0.0.0:8443\",\"remote\":null,\"host\":null,\"interface\":\"b0\","
                        + "\"result\":\"would-pin\",\"errno\":null}"));
        Path existing = Files.writeString(dir.resolve("ifpin.conf"), """
                ifpin {
                  mode = observe
                  audit.file = "/var/log/ifpin-audit.jsonl"
                  rules = [
                    { name = no-meta, cidrs = ["203.0.113.7"], action = deny }
                    { name = storage, cidrs = ["203.0.113.0/28"], ports = [7000, "7100-7199"], protocols = [tcp], interface = b0, on-error = fail-closed }
                    { name = unused, cidrs = ["192.0.2.0/24"], interface = b0 }
                    { name = corp, hosts = ["*.corp.example"], dns = ["10.8.0.1"], interface = tun0 }
                    { name = in, direction = inbound, ports = [8443], interface = b0 }
                  ]
                }
                """);
        Learner.Learned learned = learn(List.of(log), ConfigLoader.load(existing));
        String text = learned.config();
        IfpinConfig config = ConfigLoader.parse(text, "learned.conf");
        assertTrue(text.contains("{ name = \"storage\", cidrs = [\"203.0.113.0/28\"], ports = [7000, \"7100-7199\"],"
                + " protocols = [tcp], interface = \"b0\", on-error = fail-closed }"), text);
        assertTrue(text.contains("{ name = \"in\", direction = inbound, ports = [8443], interface = \"b0\","
                + " on-error = fail-open }"), text);
        assertFalse(text.contains("unused"), "a pin rule never seen is not copied");
        assertTrue(text.contains("{ name = \"corp\", hosts = [\"*.corp.example\"], dns = [\"10.8.0.1\"],"
                + " interface = \"tun0\" }"), "copied whole, without an on-error that would let its names fall back: "
                + text);
        assertEquals(1L, learned.summary().get("lookups"));
        assertEquals(0L, learned.summary().get("malformed"));
        assertTrue(text.contains("audit.file = \"/var/log/ifpin-audit.jsonl\""), text);
        assertEquals("b0", decideRule(config, null, "203.0.113.5", 7000).interfaceName());
        assertEquals(Action.ALLOW, decide(config, null, "203.0.113.9", 80, Protocol.TCP), "the default's would-deny");
        assertEquals(Action.DENY, decide(config, null, "203.0.113.7", 80, Protocol.TCP), "a deny rule's stays denied");
        assertEquals(Action.DENY, decide(config, null, "203.0.113.8", 80, Protocol.TCP), "refused while enforcing");
        assertEquals(2L, learned.summary().get("notLearned"));
        assertEquals(1L, learned.summary().get("listeners"));
        assertEquals(3, learned.summary().get("keptRules"));
        // without --config the corp destination gets a pin rule of its own
        String alone = learn(List.of(log), null).config();
        assertTrue(alone.contains("{ name = \"pin-git.corp.example-tcp\", hosts = [\"git.corp.example\"], ports = [443],"
                + " protocols = [tcp], interface = \"tun0\" }"), alone);
        assertTrue(alone.contains("pinned to 'tun0' by rule 'corp' (give --config <file> to keep that rule whole)"),
                alone);
    }

    @Test
    void aPortSeenBothAllowedAndPinnedIsLeftToThePinRuleAndSaysSo() throws Exception {
        Path log = dir.resolve("both.jsonl");
        Files.write(log, List.of(
                decision("01", "vendor", "pin", "tcp", "192.0.2.1:443", null, null, "pinned")
                        .replace("\"interface\":null", "\"interface\":\"b0\""),
                decision("02", "(default)", "allow", "tcp", "192.0.2.1:443", null, null, "allowed"),
                decision("03", "(default)", "allow", "tcp", "192.0.2.1:80", null, null, "allowed")));
        Learner learner = new Learner(new PrintStream(progress, true, StandardCharsets.UTF_8));
        learner.read(log);
        String text = learner.write(null).config();
        assertEquals(text, learner.write(null).config(), "writing twice gives the same file");
        assertTrue(text.contains("# 192.0.2.1/32 tcp 443 was allowed and pinned: left to the pin rule"), text);
        assertTrue(text.contains("cidrs = [\"192.0.2.1/32\"], ports = [80], protocols = [tcp], action = allow }"), text);
        assertTrue(text.contains("cidrs = [\"192.0.2.1/32\"], ports = [443], protocols = [tcp], interface = \"b0\" }"),
                text);
    }

    @Test
    void aLargeLogReportsProgress() throws Exception {
        Path log = dir.resolve("big.jsonl");
        String line = decision("01", "(default)", "allow", "tcp", "192.0.2.1:443", null, null, "allowed");
        Files.write(log, java.util.Collections.nCopies((int) AuditScan.PROGRESS_EVERY, line));
        learn(List.of(log), null);
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("ifpin learn: 100000 lines read ("),
                progress.toString(StandardCharsets.UTF_8));
    }

    private static Rule decideRule(IfpinConfig config, String host, String address, int port) throws Exception {
        Rule rule = config.rules().match(address(host, address), port, Protocol.TCP, CallerLookup.UNKNOWN);
        return rule == null ? config.defaultRule() : rule;
    }

    private static Action decide(IfpinConfig config, String host, String address, int port, Protocol protocol)
            throws Exception {
        Rule rule = config.rules().match(address(host, address), port, protocol, CallerLookup.UNKNOWN);
        return (rule == null ? config.defaultRule() : rule).action() == Action.DENY ? Action.DENY : Action.ALLOW;
    }

    /** As the application holds it: with the name it asked for (no resolver involved), or a literal. */
    private static InetAddress address(String host, String literal) throws Exception {
        byte[] bytes = InetAddress.getByName(literal).getAddress();
        return InetAddress.getByAddress(host, bytes);
    }

    /** Issue 16: a rule with a source or a mark is copied whole from --config, and never written without them. */
    @Test
    void aRuleWithSourceOrMarkIsCopiedWholeOrNotWritten() throws Exception {
        Path log = dir.resolve("steered.jsonl");
        Files.write(log, List.of(
                decision("01", "marked", "pin", "tcp", "203.0.113.10:443", null, null, "would-pin")
                        .replace("}", ",\"mark\":16}"),
                decision("02", "both", "pin", "tcp", "198.51.100.10:443", null, "b0", "would-pin")));
        IfpinConfig existing = ConfigLoader.parse("ifpin.rules = ["
                + "{ name = marked, cidrs = [\"203.0.113.0/24\"], mark = 16 },"
                + "{ name = both, cidrs = [\"198.51.100.0/24\"], interface = b0, source = [\"192.0.2.7\"],"
                + " mark = \"0x11\" } ]", "steer.conf");
        String copied = learn(List.of(log), existing).config();
        IfpinConfig config = ConfigLoader.parse(copied, "learned.conf");
        assertEquals("mark 16 (0x10)", config.rules().rules().stream().filter(r -> r.name().equals("marked"))
                .findFirst().orElseThrow().target(), copied);
        assertEquals("b0 source 192.0.2.7 mark 17 (0x11)", config.rules().rules().stream()
                .filter(r -> r.name().equals("both")).findFirst().orElseThrow().target(), copied);

        String alone = learn(List.of(log), null).config();
        ConfigLoader.parse(alone, "learned-alone.conf"); // still valid: the mark-only rule is a comment
        assertTrue(alone.contains("NOT a rule: rule 'marked' gives these sockets a source or a mark"), alone);
    }
}
