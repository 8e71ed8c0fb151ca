package io.ifpin.config;

import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EnforcementChange} never misses a lowering: on random pairs of configs (the second an edit of the first),
 * whenever it reports nothing, no destination gets a less strict outcome under the new config than under the old one.
 * Overlapping CIDRs and ports make rule order matter.
 */
class EnforcementChangeDifferentialTest {
    private static final String[] CIDRS = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "192.0.2.0/24"};
    private static final String[] PORTS = {"", ", ports = [443]", ", ports = [80, 443]"};
    private static final String[] OUTCOMES = {"interface = b0", "interface = b1", "interface = b0, on-error = fail-closed",
            "action = allow", "action = deny"};
    private static final String[] DEFAULTS = {"", "default-action = deny", "default-action = pin, default-interface = b0",
            "default-action = pin, default-interface = b0, on-error = fail-closed"};
    private static final String[] ADDRESSES = {"10.1.2.3", "10.1.9.9", "10.9.9.9", "192.0.2.5", "203.0.113.1"};
    private static final int[] SOCKET_PORTS = {80, 443, 8080};

    private static String randomRule(Random random) {
        return "{ cidrs = [\"" + CIDRS[random.nextInt(CIDRS.length)] + "\"]" + PORTS[random.nextInt(PORTS.length)] + ", "
                + OUTCOMES[random.nextInt(OUTCOMES.length)] + " }";
    }

    /** One to three edits: remove, add, replace or swap rules, or change the default. */
    private static String[] edit(Random random, String defaults, List<String> rules) {
        List<String> edited = new ArrayList<>(rules);
        String editedDefaults = defaults;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    if (!edited.isEmpty()) {
                        edited.remove(random.nextInt(edited.size()));
                    }
                }
                case 1 -> edited.add(random.nextInt(edited.size() + 1), randomRule(random));
                case 2 -> {
                    if (!edited.isEmpty()) {
                        edited.set(random.nextInt(edited.size()), randomRule(random));
                    }
                }
                case 3 -> {
                    if (edited.size() > 1) {
                        Collections.swap(edited, random.nextInt(edited.size()), random.nextInt(edited.size()));
                    }
                }
                default -> editedDefaults = DEFAULTS[random.nextInt(DEFAULTS.length)];
            }
        }
        return new String[] {editedDefaults, String.join("\n", edited)};
    }

    private static IfpinConfig config(String defaults, String rules) throws InvalidConfigException {
        return ConfigLoader.parse("ifpin {\n" + defaults + "\nrules = [\n" + rules + "\n]\n}\n", "random.conf");
    }

    private static int strictness(IfpinConfig config, InetAddress address, int port) {
        Rule rule = config.rules().match(address, port, Protocol.TCP);
        return EnforcementChange.strictness(rule != null ? rule : config.defaultRule());
    }

    @Test
    void whenNothingIsReportedNoDestinationGetsALessStrictOutcome() throws Exception {
        Random random = new Random(19);
        int unreported = 0;
        for (int round = 0; round < 3000; round++) {
            String defaults = DEFAULTS[random.nextInt(DEFAULTS.length)];
            List<String> rules = new ArrayList<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                rules.add(randomRule(random));
            }
            String[] next = edit(random, defaults, rules);
            IfpinConfig before = config(defaults, String.join("\n", rules));
            IfpinConfig after = config(next[0], next[1]);
            if (!EnforcementChange.lowered(before, after).isEmpty()) {
                continue;
            }
            unreported++;
            for (String literal : ADDRESSES) {
                InetAddress address = InetAddress.getByName(literal); // literals: no DNS
                for (int port : SOCKET_PORTS) {
                    assertTrue(strictness(after, address, port) >= strictness(before, address, port),
                            literal + ":" + port + " is decided less strictly after\n" + defaults + "\n" + rules
                                    + "\nbecame\n" + next[0] + "\n" + next[1]);
                }
            }
        }
        assertTrue(unreported > 300, "enough edits that lower nothing to mean something: " + unreported);
    }
}
