package io.ifpin.core;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The startup lines stay a few lines long for configs of thousands of rules on a few interfaces. */
class StartupLinesTest {

    private static IfpinConfig manyRules(int count) throws Exception {
        StringBuilder hocon = new StringBuilder("ifpin.rules = [\n");
        for (int i = 0; i < count; i++) {
            hocon.append("{ name = r").append(i).append(", cidrs = [\"192.0.2.").append(i % 256)
                    .append("/32\"], interface = ").append(i % 2 == 0 ? "b0" : "a0").append(" }\n");
        }
        return ConfigLoader.parse(hocon.append("]\n").toString(), "many.conf");
    }

    @Test
    void theStartupLineListsTwentyRulesAndCountsTheRest() {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            rules.add("r" + i);
        }
        String line = StartupReport.firstFew(rules);
        assertTrue(line.startsWith("[r0, r1, "), line);
        assertTrue(line.endsWith(", r19, ... and 5 more (java -jar ifpin-agent.jar check <config> lists them all)]"),
                line);
        assertEquals("[r0, r1]", StartupReport.firstFew(rules.subList(0, 2)));
    }

    @Test
    void interfacesAreReportedOncePerInterfaceNamingTheFirstRuleAndCountingTheOthers() throws Exception {
        IfpinConfig config = manyRules(1000);
        Map<String, List<Rule>> byInterface = StartupReport.pinRulesByInterface(config);
        assertEquals(List.of("b0", "a0"), List.copyOf(byInterface.keySet()));
        assertEquals("r0", byInterface.get("b0").get(0).name());
        assertEquals("r1", byInterface.get("a0").get(0).name());
        assertEquals("[r0 (and 499 more rules) -> b0: OK, r1 (and 499 more rules) -> a0: ENODEV]",
                StartupReport.selfTestLine(byInterface, Map.of("b0", "OK", "a0", "ENODEV")));
        IfpinConfig single = ConfigLoader.parse("ifpin.rules = [{ name = corp, cidrs = [\"192.0.2.0/24\"],"
                + " interface = b0 }]", "one.conf");
        assertEquals("[corp -> b0: OK]", StartupReport.selfTestLine(StartupReport.pinRulesByInterface(single),
                        Map.of("b0", "OK")),
                "one rule per interface: the line reads as before");
    }

    /** Issue 15: the interface report and the self-test cover every interface a rule lists. */
    @Test
    void everyInterfaceOfAListIsReportedAndSelfTested() throws Exception {
        IfpinConfig config = ConfigLoader.parse("ifpin.rules = [{ name = corp, cidrs = [\"192.0.2.0/24\"],"
                + " interface = [c0, b0] }]", "list.conf");
        Map<String, List<Rule>> byInterface = StartupReport.pinRulesByInterface(config);
        assertEquals(List.of("c0", "b0"), List.copyOf(byInterface.keySet()));
        assertEquals("[corp -> c0: ENODEV, corp -> b0: OK]", StartupReport.selfTestLine(byInterface,
                Map.of("c0", "ENODEV", "b0", "OK")));
        assertEquals(List.of("c0", "b0"), List.copyOf(config.rules().interfaceNames()));
    }
}
