package io.ifpin.rules;

import io.ifpin.os.Addresses;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RuleSet#match} (indexed) against the definition it must keep: the first rule, in config order, whose
 * {@link Rule#matches} holds. Random rules crowd a few small address regions and a few names, so that networks
 * nest, overlap and repeat, names are exact and wildcard at several depths, and ports and protocols reject many
 * candidates. The seed is fixed and printed; {@code -Difpin.test.seed=N} replays another.
 */
class RuleSetDifferentialTest {
    private static final String[] LABELS = {"a", "b", "api", "corp", "x-1", "B"};
    private static final long SEED = Long.getLong("ifpin.test.seed", 20261126L);

    @Test
    void indexedMatchIsTheLinearScansFirstMatch() throws Exception {
        System.out.println("[RuleSetDifferentialTest] seed " + SEED);
        Random random = new Random(SEED);
        int matched = 0;
        int unmatched = 0;
        int notFirstCandidate = 0;
        int queries = 0;
        for (int ruleCount : new int[] {1, 2, 5, 30, 300, 3000}) {
            for (int round = 0; round < (ruleCount < 100 ? 40 : 4); round++) {
                Generator generator = new Generator(random);
                List<Rule> rules = new ArrayList<>();
                for (int i = 0; i < ruleCount; i++) {
                    rules.add(generator.rule(i));
                }
                RuleSet ruleSet = RuleSet.of(rules);
                for (int q = 0; q < 2000; q++) {
                    InetAddress address = generator.destination();
                    int port = 1 + random.nextInt(25);
                    Protocol protocol = random.nextBoolean() ? Protocol.TCP : Protocol.UDP;
                    Rule expected = linearScan(rules, address, port, protocol);
                    Rule actual = ruleSet.match(address, port, protocol);
                    queries++;
                    if (expected != actual) {
                        assertEquals(describe(expected), describe(actual), "seed " + SEED + ", " + ruleCount
                                + " rules, " + address + " port " + port + " " + protocol + "; rules " + rules);
                    }
                    if (expected == null) {
                        unmatched++;
                    } else {
                        matched++;
                        if (addressMatchedEarlier(rules, expected, address)) {
                            notFirstCandidate++;
                        }
                    }
                }
            }
        }
        System.out.println("[RuleSetDifferentialTest] " + queries + " queries: " + matched + " matched ("
                + notFirstCandidate + " behind an earlier rule that failed on port or protocol), " + unmatched
                + " unmatched");
        // The generator must exercise every outcome, or the comparison proves little.
        assertTrue(matched > queries / 10, "matched " + matched);
        assertTrue(unmatched > queries / 10, "unmatched " + unmatched);
        assertTrue(notFirstCandidate > queries / 100, "port/protocol rejections " + notFirstCandidate);
    }

    static Rule linearScan(List<Rule> rules, InetAddress address, int port, Protocol protocol) {
        String requestedHost = HostNames.requestedName(address);
        for (Rule rule : rules) {
            if (rule.matches(address, requestedHost, port, protocol)) {
                return rule;
            }
        }
        return null;
    }

    /** True when a rule before {@code winner} matched the address on every port and protocol. */
    private static boolean addressMatchedEarlier(List<Rule> rules, Rule winner, InetAddress address) {
        String host = HostNames.requestedName(address);
        for (Rule rule : rules) {
            if (rule == winner) {
                return false;
            }
            Rule anyPort = Rule.named(rule.name(), 0, "x").hosts(rule.hosts().stream().map(HostPattern::parse).toList())
                    .cidrs(rule.cidrs().stream().map(Cidr::parse).toList()).ports(PortSet.ALL)
                    .protocols(EnumSet.allOf(Protocol.class)).pin("x");
            if (anyPort.matches(address, host, 1, Protocol.TCP)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Rule rule) {
        return rule == null ? "no rule" : rule.index() + " " + rule.describe();
    }

    /** Random rules and destinations around a few shared bases, so they collide often. */
    static final class Generator {
        private final Random random;
        private final int[] v4Bases = new int[3];
        private final long[][] v6Bases = new long[3][2];

        Generator(Random random) {
            this.random = random;
            for (int i = 0; i < v4Bases.length; i++) {
                v4Bases[i] = random.nextInt();
                v6Bases[i][0] = random.nextLong();
                v6Bases[i][1] = random.nextLong();
            }
            v6Bases[2][0] = 0x20010db8L << 32; // some keys share the high half, so the low half decides
        }

        Rule rule(int index) {
            List<String> cidrs = new ArrayList<>();
            List<String> hosts = new ArrayList<>();
            int conditions = 1 + random.nextInt(3);
            for (int i = 0; i < conditions; i++) {
                switch (random.nextInt(7)) {
                    case 0, 1 -> cidrs.add(v4Cidr());
                    case 2 -> cidrs.add(v6Cidr());
                    case 3 -> cidrs.add(mappedCidr());
                    default -> hosts.add(hostPattern());
                }
            }
            PortSet ports = PortSet.ALL;
            if (random.nextInt(3) == 0) {
                List<PortSet.Range> ranges = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
                    int low = 1 + random.nextInt(25);
                    ranges.add(new PortSet.Range(low, Math.min(25, low + random.nextInt(6))));
                }
                ports = PortSet.of(ranges);
            }
            Set<Protocol> protocols = switch (random.nextInt(4)) {
                case 0 -> EnumSet.of(Protocol.TCP);
                case 1 -> EnumSet.of(Protocol.UDP);
                default -> EnumSet.allOf(Protocol.class);
            };
            return RuleSetTest.rule("r" + index, index, "if" + index % 3, hosts, cidrs, ports, protocols);
        }

        InetAddress destination() throws Exception {
            String host = random.nextInt(3) == 0 ? null : hostName();
            switch (random.nextInt(5)) {
                case 0, 1 -> {
                    return InetAddress.getByAddress(host, v4Bytes(v4Address()));
                }
                case 2 -> {
                    byte[] bytes = new byte[16];
                    bytes[10] = (byte) 0xff;
                    bytes[11] = (byte) 0xff;
                    System.arraycopy(v4Bytes(v4Address()), 0, bytes, 12, 4);
                    return Inet6Address.getByAddress(host, bytes, -1); // stays an Inet6Address
                }
                default -> {
                    long[] key = v6Address();
                    byte[] bytes = new byte[16];
                    for (int i = 0; i < 8; i++) {
                        bytes[i] = (byte) (key[0] >>> (56 - 8 * i));
                        bytes[8 + i] = (byte) (key[1] >>> (56 - 8 * i));
                    }
                    return Inet6Address.getByAddress(host, bytes, -1);
                }
            }
        }

        /** A base with a few of its low bits flipped: near other rules' networks. */
        private int v4Address() {
            int address = v4Bases[random.nextInt(v4Bases.length)];
            for (int i = 0, n = random.nextInt(4); i < n; i++) {
                address ^= 1 << random.nextInt(random.nextBoolean() ? 8 : 32);
            }
            return address;
        }

        private long[] v6Address() {
            long[] base = v6Bases[random.nextInt(v6Bases.length)];
            long high = base[0];
            long low = base[1];
            for (int i = 0, n = random.nextInt(4); i < n; i++) {
                int bit = random.nextInt(random.nextBoolean() ? 8 : 64);
                if (random.nextBoolean()) {
                    high ^= 1L << bit;
                } else {
                    low ^= 1L << bit;
                }
            }
            return new long[] {high, low};
        }

        private int prefix(int max) {
            // Mostly long prefixes (many distinct networks), sometimes short ones (that contain many addresses).
            return random.nextInt(4) == 0 ? random.nextInt(max + 1) : max - random.nextInt(Math.min(max, 12) + 1);
        }

        private String v4Cidr() {
            int length = prefix(32);
            int network = v4Address() & (length == 0 ? 0 : -1 << (32 - length));
            return v4Text(network) + "/" + length;
        }

        private String mappedCidr() {
            int length = prefix(32);
            int network = v4Address() & (length == 0 ? 0 : -1 << (32 - length));
            return "::ffff:" + v4Text(network) + "/" + (96 + length);
        }

        private String v6Cidr() {
            int length = prefix(128);
            long[] key = v6Address();
            long maskHigh = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
            long maskLow = length <= 64 ? 0 : -1L << (128 - length);
            return Addresses.ipv6(key[0] & maskHigh, key[1] & maskLow) + "/" + length;
        }

        private String hostPattern() {
            String name = name(1 + random.nextInt(3));
            String text = random.nextInt(3) == 0 ? name : "*." + name;
            return random.nextInt(5) == 0 ? text + "." : text;
        }

        /** Names in the same small space as the patterns, with odd forms now and then. */
        String hostName() {
            String name = name(1 + random.nextInt(4));
            return switch (random.nextInt(12)) {
                case 0 -> name + ".";
                case 1 -> "." + name;
                case 2 -> name.replaceFirst("\\.", "..");
                case 3 -> name.toUpperCase(java.util.Locale.ROOT);
                default -> name;
            };
        }

        private String name(int labels) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < labels; i++) {
                out.append(LABELS[random.nextInt(LABELS.length)]).append('.');
            }
            return out.append("example").toString();
        }

        private static String v4Text(int address) {
            return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "."
                    + (address & 0xff);
        }

        private static byte[] v4Bytes(int address) {
            return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8),
                    (byte) address};
        }
    }
}
