package io.ifpin.bench;

import io.ifpin.config.ConfigLoader;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@link RuleSet#match} with 10, 100, 1,000 and 10,000 rules: the per-socket cost of finding the rule.
 *
 * <p>The rules are generated deterministically and loaded through {@link ConfigLoader#parse}, like a real config.
 * The body cycles through four kinds: an IPv4 CIDR (aligned /28../32 pieces of 192.0.2.0/24, 198.51.100.0/24 and
 * 203.0.113.0/25, picked with a fixed seed; they repeat beyond 1,240 IPv4 rules because the documentation ranges
 * are small), an IPv6 CIDR (a distinct /48 or /64 under 2001:db8::/32), an exact host name and a {@code *.suffix}
 * wildcard, all under {@code .example}. The last three rules are the targets, so each case scans (nearly) the
 * whole list with a linear scan (RuleSet's index, since issue 7, goes straight to them):
 * <pre>
 *   ...body...
 *   rule N-3: hosts = ["*.zzz-last.example"]    &lt;- hostName
 *   rule N-2: cidrs = ["2001:db8:ffff::/48"]    &lt;- ipv6
 *   rule N-1: cidrs = ["203.0.113.252/30"]      &lt;- lastRuleIpv4
 * </pre>
 * {@code noMatchIpv4} goes to 203.0.113.200, which no rule contains. Addresses are built with
 * {@link InetAddress#getByAddress}: no DNS anywhere.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RuleMatchBenchmark {

    @Param({"10", "100", "1000", "10000"})
    public int rules;

    private RuleSet ruleSet;
    private InetAddress noMatch;
    private InetAddress lastIpv4;
    private InetAddress ipv6;
    private InetAddress hostName;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ruleSet = ConfigLoader.parse(hocon(rules), "bench-" + rules + ".conf").rules();
        if (ruleSet.rules().size() != rules) {
            throw new IllegalStateException("generated " + ruleSet.rules().size() + " rules, wanted " + rules);
        }
        noMatch = address(null, 203, 0, 113, 200);
        lastIpv4 = address(null, 203, 0, 113, 253);
        ipv6 = InetAddress.getByAddress(null, new byte[] {
                0x20, 0x01, 0x0d, (byte) 0xb8, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10});
        hostName = address("api.zzz-last.example", 203, 0, 113, 200);
        // The cases must hit the rules they claim to, or the numbers mean nothing.
        expect(noMatch, -1);
        expect(lastIpv4, rules - 1);
        expect(ipv6, rules - 2);
        expect(hostName, rules - 3);
    }

    @Benchmark
    public Rule noMatchIpv4() {
        return ruleSet.match(noMatch, 443, Protocol.TCP);
    }

    @Benchmark
    public Rule lastRuleIpv4() {
        return ruleSet.match(lastIpv4, 443, Protocol.TCP);
    }

    @Benchmark
    public Rule ipv6() {
        return ruleSet.match(ipv6, 443, Protocol.TCP);
    }

    @Benchmark
    public Rule hostName() {
        return ruleSet.match(hostName, 443, Protocol.TCP);
    }

    private void expect(InetAddress address, int ruleIndex) {
        Rule rule = ruleSet.match(address, 443, Protocol.TCP);
        int got = rule == null ? -1 : rule.index();
        if (got != ruleIndex) {
            throw new IllegalStateException(address + " matched rule " + got + ", expected " + ruleIndex);
        }
    }

    private static InetAddress address(String name, int a, int b, int c, int d) throws UnknownHostException {
        return InetAddress.getByAddress(name, new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    }

    /** An ifpin config with {@code count} rules (count >= 3), the same text for the same count. */
    static String hocon(int count) {
        List<String> ipv4 = ipv4Pieces();
        Random random = new Random(7);
        StringBuilder out = new StringBuilder("ifpin {\n  rules = [\n");
        int body = count - 3;
        int v6 = 0;
        int exact = 0;
        int wildcard = 0;
        for (int i = 0; i < body; i++) {
            String match;
            switch (i % 4) {
                case 0 -> match = "cidrs = [\"" + ipv4.get(random.nextInt(ipv4.size())) + "\"]";
                case 1 -> {
                    int n = v6++;
                    match = "cidrs = [\"" + (n % 2 == 0
                            ? String.format("2001:db8:%x::/48", n)
                            : String.format("2001:db8:%x:1::/64", n)) + "\"]";
                }
                case 2 -> {
                    int n = exact++;
                    match = "hosts = [\"host-" + n + ".svc-" + (n % 50) + ".example\"]";
                }
                default -> match = "hosts = [\"*.zone-" + wildcard++ + ".example\"]";
            }
            rule(out, i, match);
        }
        if (v6 >= 0xffff) {
            throw new IllegalArgumentException("too many rules for distinct IPv6 /48s: " + count);
        }
        rule(out, count - 3, "hosts = [\"*.zzz-last.example\"]");
        rule(out, count - 2, "cidrs = [\"2001:db8:ffff::/48\"]");
        rule(out, count - 1, "cidrs = [\"203.0.113.252/30\"]");
        return out.append("  ]\n}\n").toString();
    }

    private static void rule(StringBuilder out, int index, String match) {
        out.append("    { name = \"r").append(index).append("\", ").append(match)
                .append(", interface = \"if").append(index % 8).append("\" }\n");
    }

    /** Every aligned /28../32 in 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/25 (the rest of .113 is reserved). */
    private static List<String> ipv4Pieces() {
        List<String> pieces = new ArrayList<>();
        String[][] ranges = {{"192.0.2.", "256"}, {"198.51.100.", "256"}, {"203.0.113.", "128"}};
        for (String[] range : ranges) {
            int size = Integer.parseInt(range[1]);
            for (int prefix = 28; prefix <= 32; prefix++) {
                int step = 1 << (32 - prefix);
                for (int start = 0; start < size; start += step) {
                    pieces.add(range[0] + start + "/" + prefix);
                }
            }
        }
        return pieces;
    }
}
