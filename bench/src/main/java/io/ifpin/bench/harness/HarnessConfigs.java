package io.ifpin.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The configs bench/harness.sh runs the connect app with: {@code rules-N.conf} for each N given. Every rule
 * names {@code b0}, the lab's second link. The last rule pins {@value #PINNED}, the lab's second service address;
 * no other rule contains {@value #UNMATCHED} or {@value #PINNED}, so a connect to the first matches nothing (after a
 * full index lookup) and a connect to the second is pinned.
 *
 * <p>The other rules mix, in turn: IPv4 /28 to /32 pieces of 192.0.2.0/24 and 198.51.100.0/24, distinct IPv6 /48s
 * in 2001:db8:1000::/36 (clear of the lab's 2001:db8:a::, :b:: and :f::), exact host names and {@code *.suffix}
 * wildcards under {@code .example}. Fixed seed: the same files every time.
 *
 * <p>{@code rules-10-mix.conf} (argument {@code 10-mix}) is the startup matrix's "10 rules": a policy as an operator
 * writes it ({@link #TEN_RULE_MIX}).
 */
public final class HarnessConfigs {
    static final String UNMATCHED = "203.0.113.10";
    static final String PINNED = "203.0.113.20";

    /**
     * Ten rules of the kinds a real policy has: networks and names, with and without ports, a deny, both of the lab
     * client's links ({@code a0}, {@code b0}: they exist, so nothing is reported missing). The last rule pins
     * {@value #PINNED} port 7000 (the harness's server) to b0: the startup matrix's first pinned connect.
     */
    static final String TEN_RULE_MIX = """
            ifpin {
              rules = [
                { name = "no-metadata", cidrs = ["169.254.169.254"], action = deny }
                { name = "corp-api", hosts = ["api.corp.example", "*.corp.example"], ports = [443], interface = "b0" }
                { name = "storage", cidrs = ["192.0.2.0/24", "2001:db8:f::/48"], ports = [7000, "8000-8099"],
                  protocols = [tcp, udp], interface = "b0" }
                { name = "partners", hosts = ["*.partner.example"], interface = "a0" }
                { name = "backup", cidrs = ["198.51.100.0/25"], ports = [873], interface = "b0" }
                { name = "registry", hosts = ["registry.build.example"], ports = [443, 5000], interface = "a0" }
                { name = "metrics", cidrs = ["198.51.100.128/26"], ports = ["9090-9099"], interface = "a0" }
                { name = "v6-services", cidrs = ["2001:db8:c::/48"], interface = "b0" }
                { name = "ldap", hosts = ["ldap.corp.example"], cidrs = ["192.0.2.53"], ports = [389, 636],
                  interface = "a0" }
                { name = "service", cidrs = ["203.0.113.20/32"], ports = [7000], interface = "b0" }
              ]
            }
            """;

    private HarnessConfigs() {
    }

    static String config(int count) {
        StringBuilder out = new StringBuilder("ifpin {\n  rules = [\n");
        if (count > 0) {
            List<String> ipv4 = ipv4Pieces();
            Random random = new Random(7);
            for (int i = 0; i < count - 1; i++) {
                String match = switch (i % 4) {
                    case 0 -> "cidrs = [\"" + ipv4.get(random.nextInt(ipv4.size())) + "\"]";
                    case 1 -> String.format("cidrs = [\"2001:db8:%x::/48\"]", 0x1000 + i / 4);
                    case 2 -> "hosts = [\"host-" + i + ".svc-" + (i % 50) + ".example\"]";
                    default -> "hosts = [\"*.zone-" + i + ".example\"]";
                };
                out.append("    { name = \"r").append(i).append("\", ").append(match)
                        .append(", interface = \"b0\" }\n");
            }
            out.append("    { name = \"pinned\", cidrs = [\"").append(PINNED).append("/32\"], interface = \"b0\" }\n");
        }
        return out.append("  ]\n}\n").toString();
    }

    private static List<String> ipv4Pieces() {
        List<String> pieces = new ArrayList<>();
        for (String range : new String[] {"192.0.2.", "198.51.100."}) {
            for (int prefix = 28; prefix <= 32; prefix++) {
                for (int start = 0; start < 256; start += 1 << (32 - prefix)) {
                    pieces.add(range + start + "/" + prefix);
                }
            }
        }
        return pieces;
    }

    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args[0]);
        Files.createDirectories(directory);
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("10-mix")) {
                Files.writeString(directory.resolve("rules-10-mix.conf"), TEN_RULE_MIX);
                continue;
            }
            int count = Integer.parseInt(args[i]);
            Files.writeString(directory.resolve("rules-" + count + ".conf"), config(count));
        }
    }
}
