package io.ifpin.config;

import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.ifpin.rules.Protocol.TCP;
import static io.ifpin.rules.Protocol.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each shipped sample does what its comments promise: concrete destinations (documentation
 * addresses, {@code .example} names, no DNS) go to the interface the comments name, or are left alone.
 * {@link ConfigSamplesTest} only checks that the samples load.
 */
class ConfigSamplesBehaviourTest {
    /** Relative to the agent module, where Maven runs the tests. */
    private static final Path SAMPLES = Path.of("../config-samples");

    /**
     * A socket to {@code address:port}, opened by {@code host} (null: by IP literal) from class {@code caller}
     * (null: unknown), and the rule that must decide it with its target: an interface, {@code allow} or
     * {@code deny} (rule null: no rule matches and the default leaves the socket alone).
     */
    record Case(String host, String address, int port, Protocol protocol, String caller, String rule,
                String target) {
        @Override
        public String toString() {
            String socket = (host == null ? "" : host + "/") + address + " port " + port + " "
                    + protocol.name().toLowerCase() + (caller == null ? "" : " from " + caller);
            return socket + (rule == null ? " -> not pinned" : " -> " + target + " (" + rule + ")");
        }

        Case from(String callerClass) {
            return new Case(host, address, port, protocol, callerClass, rule, target);
        }
    }

    /** {@code target}: the interface, or allow / deny. */
    private static Case pinned(String address, int port, Protocol protocol, String rule, String target) {
        return new Case(null, address, port, protocol, null, rule, target);
    }

    private static Case pinned(String host, String address, int port, Protocol protocol, String rule,
                               String target) {
        return new Case(host, address, port, protocol, null, rule, target);
    }

    private static Case alone(String address, int port, Protocol protocol) {
        return new Case(null, address, port, protocol, null, null, null);
    }

    private static Case alone(String host, String address, int port, Protocol protocol) {
        return new Case(host, address, port, protocol, null, null, null);
    }

    private static Case denied(String address, int port, Protocol protocol) {
        return pinned(address, port, protocol, Rule.DEFAULT_NAME, "deny");
    }

    /** Sample file name to what its comments promise. Every sample must have an entry. */
    private static final Map<String, List<Case>> PROMISES = new LinkedHashMap<>();

    static {
        PROMISES.put("demo.conf", List.of(
                pinned("203.0.113.10", 7000, TCP, "corp-api-by-address", "b0"),
                pinned("2001:db8:f::10", 7000, TCP, "corp-api-by-address", "b0"),
                // "works even when the address changes"
                pinned("api.corp.example", "198.51.100.10", 7000, TCP, "corp-api-by-name", "b0"),
                alone("203.0.113.11", 7000, TCP)));

        PROMISES.put("ipv6.conf", List.of(
                pinned("2001:db8:d::10", 5432, TCP, "database", "eth1"),
                pinned("203.0.113.10", 5432, TCP, "database", "eth1"),
                pinned("::ffff:192.0.2.10", 443, TCP, "legacy-ipv4-service", "eth1"),
                pinned("192.0.2.10", 53, UDP, "legacy-ipv4-service", "eth1"),
                // the database address on another port falls through to the IPv6 catch-all
                pinned("2001:db8:d::10", 443, TCP, "all-other-ipv6", "he-ipv6"),
                pinned("2001:db8:1234::1", 443, TCP, "all-other-ipv6", "he-ipv6"),
                // "::/0" matches real IPv6 only: IPv4 and IPv4-mapped destinations keep normal routing
                alone("203.0.113.10", 443, TCP),
                alone("::ffff:198.51.100.7", 443, TCP)));

        PROMISES.put("steered.conf", List.of(
                pinned("198.51.100.20", 443, TCP, "partner-allow-listed", "source [203.0.113.7, 2001:db8:7::7]"),
                pinned("2001:db8:100::20", 443, UDP, "partner-allow-listed", "source [203.0.113.7, 2001:db8:7::7]"),
                pinned("192.0.2.200", 873, TCP, "backup-by-policy-routing", "mark 16 (0x10)"),
                alone("192.0.2.200", 443, TCP),      // only rsync takes the backup uplink
                alone("192.0.2.20", 873, TCP),       // and only to the backup hosts' /25
                pinned("git.corp.example", "203.0.113.50", 443, TCP, "corp-over-vpn",
                        "tun0 source 198.51.100.5 mark 16 (0x10)")));

        PROMISES.put("storage-network.conf", List.of(
                pinned("192.0.2.10", 7000, TCP, "storage-data", "stor0"),
                pinned("2001:db8:5::20", 8099, TCP, "storage-data", "stor0"),
                pinned("192.0.2.10", 7946, UDP, "storage-discovery", "stor0"),
                alone("192.0.2.10", 22, TCP),       // ssh to the same machines: normal routing
                alone("192.0.2.10", 7000, UDP),     // the data path is TCP only
                alone("192.0.2.200", 7946, UDP)));  // gossip goes to one subnet (/25) only

        PROMISES.put("vpn-split.conf", List.of(
                pinned("corp.example", "203.0.113.5", 443, TCP, "corp-by-name", "tun0"),
                pinned("a.b.corp.example", "203.0.113.5", 443, TCP, "corp-by-name", "tun0"),
                pinned("API.Corp.Example", "203.0.113.5", 443, TCP, "corp-by-name", "tun0"),
                pinned("198.51.100.20", 443, TCP, "corp-by-address", "tun0"),
                pinned("2001:db8:c0::1", 443, UDP, "corp-by-address", "tun0"),
                alone("www.example", "203.0.113.5", 443, TCP),
                alone("203.0.113.5", 443, TCP)));

        PROMISES.put("vpn-fallback.conf", List.of(
                pinned("198.51.100.20", 443, TCP, "corp", "[tun0, eth1]"),
                pinned("2001:db8:c0::1", 443, UDP, "corp", "[tun0, eth1]"),
                pinned("203.0.113.40", 8200, TCP, "vault", "tun0"),
                alone("203.0.113.41", 443, TCP)));

        PROMISES.put("multi-uplink.conf", List.of(
                // first match wins: billing is inside the partner network, but its rule comes first
                pinned("203.0.113.70", 443, TCP, "partner-billing-via-wan1", "wan1"),
                pinned("2001:db8:cafe:41::5", 443, TCP, "partner-billing-via-wan1", "wan1"),
                pinned("203.0.113.10", 443, TCP, "partner-via-wan2", "wan2"),
                pinned("api.partner.example", "203.0.113.10", 443, TCP, "partner-via-wan2", "wan2"),
                pinned("::ffff:203.0.113.10", 443, TCP, "partner-via-wan2", "wan2"),
                pinned("2001:db8:cafe:1::5", 443, TCP, "partner-via-wan2", "wan2"),
                pinned("203.0.113.10", 53, UDP, "partner-via-wan2", "wan2"),
                // everything else follows the main routing table (wan1) unpinned
                alone("192.0.2.50", 443, TCP),
                alone("198.51.100.50", 443, TCP),
                alone("2001:db8:1::50", 443, TCP)));

        PROMISES.put("allow-list.conf", List.of(
                pinned("api.payments.example", "198.51.100.80", 443, TCP, "payments-api", "eth1"),
                pinned("203.0.113.5", 443, TCP, "payments-api", "eth1"),
                pinned("192.0.2.30", 5432, TCP, "database", "allow"),
                pinned("127.0.0.1", 9010, TCP, "loopback", "allow"),
                pinned("::1", 9010, TCP, "loopback", "allow"),
                // everything not listed is refused, including the listed hosts on other ports
                denied("203.0.113.5", 80, TCP),
                denied("203.0.113.99", 443, TCP),
                denied("192.0.2.30", 22, TCP),
                denied("198.51.100.53", 53, UDP)));

        PROMISES.put("fail-closed.conf", List.of(
                pinned("192.0.2.10", 3260, TCP, "storage", "stor0"),
                pinned("2001:db8:5::10", 2049, UDP, "storage", "stor0"),
                pinned("198.51.100.20", 873, TCP, "backup", "stor1"),
                alone("198.51.100.20", 22, TCP)));

        PROMISES.put("library-scoped.conf", List.of(
                pinned("192.0.2.10", 5432, TCP, "jdbc-via-stor0", "stor0").from("org.postgresql.core.PGStream"),
                pinned("203.0.113.10", 443, TCP, "legacy-module-via-vpn", "tun0").from("com.vendor.legacy.Client"),
                pinned("2001:db8::10", 443, TCP, "legacy-module-via-vpn", "tun0").from("com.vendor.legacy.db.Pool$1"),
                // the same destination from other code: normal routing
                alone("192.0.2.10", 5432, TCP).from("com.acme.app.Main"),
                alone("192.0.2.10", 5432, TCP),
                alone("203.0.113.10", 443, TCP).from("okhttp3.internal.connection.RealConnection")));

        PROMISES.put("observe.conf", List.of(
                pinned("169.254.169.254", 80, TCP, "no-cloud-metadata", "deny"),
                pinned("192.0.2.10", 3260, TCP, "storage", "stor0"),
                // the intended allow-list's default: would-deny (observe mode: the socket proceeds)
                denied("203.0.113.5", 443, TCP)));

        PROMISES.put("audited.conf", List.of(
                pinned("169.254.169.254", 80, TCP, "no-cloud-metadata", "deny"),
                pinned("fd00:ec2::254", 80, TCP, "no-cloud-metadata", "deny"),
                pinned("wiki.corp.example", "198.51.100.7", 443, TCP, "corp-via-vpn", "tun0"),
                alone("203.0.113.7", 443, TCP)));
    }

    /** An address built from a literal and an optional requested name, with no DNS lookup. */
    static InetAddress address(String host, String literal) throws IOException {
        assertTrue(literal.matches("[0-9A-Fa-f:.]+") && (literal.contains(":") || literal.split("\\.").length == 4),
                "not an IP literal (would need DNS): " + literal);
        byte[] bytes;
        if (literal.toLowerCase().startsWith("::ffff:") && literal.contains(".")) {
            // Kept as an Inet6Address, as a dual-stack socket's destination; getByName would
            // turn ::ffff:a.b.c.d into an Inet4Address.
            byte[] v4 = InetAddress.getByName(literal.substring("::ffff:".length())).getAddress();
            bytes = new byte[16];
            bytes[10] = (byte) 0xff;
            bytes[11] = (byte) 0xff;
            System.arraycopy(v4, 0, bytes, 12, 4);
            return Inet6Address.getByAddress(host, bytes, -1);
        }
        bytes = InetAddress.getByName(literal).getAddress();
        return InetAddress.getByAddress(host, bytes);
    }

    private static Set<String> sampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".conf"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static RuleSet rulesOf(String sample) throws InvalidConfigException {
        return ConfigLoader.load(SAMPLES.resolve(sample)).rules();
    }

    /** The rule that decides the socket: the first match, or the default rule. */
    private static Rule decide(String sample, Case promise) throws IOException, InvalidConfigException {
        IfpinConfig config = ConfigLoader.load(SAMPLES.resolve(sample));
        Rule rule = config.rules().match(address(promise.host(), promise.address()), promise.port(),
                promise.protocol(), promise::caller);
        return rule != null ? rule : config.defaultRule();
    }

    @Test
    void everySampleHasPromisesAndEveryPromiseHasASample() throws IOException {
        assertEquals(sampleFiles(), new TreeSet<>(PROMISES.keySet()),
                "each config-samples/*.conf needs destinations in PROMISES that check what its comments say");
    }

    @TestFactory
    Stream<DynamicContainer> eachSampleDoesWhatItsCommentsSay() {
        return PROMISES.entrySet().stream().map(sample -> DynamicContainer.dynamicContainer(sample.getKey(),
                sample.getValue().stream().map(promise -> DynamicTest.dynamicTest(promise.toString(), () -> {
                    Rule rule = decide(sample.getKey(), promise);
                    if (promise.rule() == null) {
                        assertEquals(Rule.DEFAULT_NAME + " -> allow", rule.name() + " -> " + rule.target(),
                                "expected no rule to match and the socket left alone, but " + rule + " decided");
                    } else {
                        assertEquals(promise.rule(), rule.name());
                        assertEquals(promise.target(), rule.target());
                    }
                }))));
    }

    /** observe.conf decides as an enforced config would, and only observes: the mode is what its comments say. */
    @Test
    void observeSampleObserves() throws Exception {
        assertTrue(ConfigLoader.load(SAMPLES.resolve("observe.conf")).observing());
        assertFalse(ConfigLoader.load(SAMPLES.resolve("audited.conf")).observing());
    }

    /** The billing destinations are inside the broad partner rule too: only the order sends them to wan1. */
    @Test
    void multiUplinkExceptionWinsOnlyBecauseItComesFirst() throws Exception {
        Rule broad = rulesOf("multi-uplink.conf").rules().stream()
                .filter(rule -> rule.name().equals("partner-via-wan2")).findFirst().orElseThrow();
        for (String billing : List.of("203.0.113.70", "2001:db8:cafe:41::5")) {
            assertTrue(broad.matches(address(null, billing), null, 443, TCP), billing);
        }
    }
}
