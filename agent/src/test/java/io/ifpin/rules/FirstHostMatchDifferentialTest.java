package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FirstHostMatch} equals the plain scan of {@link Rule#matchesHostName} in order, on random rules and names. */
class FirstHostMatchDifferentialTest {

    @Test
    void theIndexFindsTheSameFirstRuleAsTheScan() {
        Random random = new Random(14);
        int matched = 0;
        for (int round = 0; round < 300; round++) {
            RuleSetDifferentialTest.Generator generator = new RuleSetDifferentialTest.Generator(random);
            List<Rule> rules = new ArrayList<>();
            for (int i = random.nextInt(12); i > 0; i--) {
                rules.add(generator.rule(rules.size()));
            }
            FirstHostMatch index = new FirstHostMatch(rules);
            for (int n = 0; n < 50; n++) {
                String name = generator.hostName();
                Rule expected = null;
                for (Rule rule : rules) {
                    if (rule.matchesHostName(name)) {
                        expected = rule;
                        break;
                    }
                }
                assertEquals(expected, index.first(name), name + " in " + rules);
                matched += expected == null ? 0 : 1;
            }
        }
        assertTrue(matched > 1000, "the names match often enough to mean something: " + matched);
    }
}
