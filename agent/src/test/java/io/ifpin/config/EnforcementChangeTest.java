package io.ifpin.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EnforcementChange}: which edits lower enforcement (and so wait for the file to settle on reload) and which
 * apply at once. Each row: the config in force, the new one, and the change reported ({@code -} for none).
 */
class EnforcementChangeTest {
    private static final String DENY = "{ name = d, cidrs = [\"203.0.113.0/24\"], action = deny }";
    private static final String PIN = "{ name = p, cidrs = [\"198.51.100.0/24\"], interface = b0 }";
    private static final String PIN_CLOSED =
            "{ name = p, cidrs = [\"198.51.100.0/24\"], interface = b0, on-error = fail-closed }";
    private static final String ALLOW = "{ name = a, cidrs = [\"192.0.2.0/24\"], action = allow }";
    private static final String ALLOW_ALL = "{ name = all, cidrs = [\"0.0.0.0/0\"], action = allow }";

    private static IfpinConfig config(String text) throws InvalidConfigException {
        return ConfigLoader.parse(text.replace("DENY", DENY).replace("PIN_CLOSED", PIN_CLOSED).replace("PIN", PIN)
                .replace("ALLOW_ALL", ALLOW_ALL).replace("ALLOW", ALLOW), "test.conf");
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            # in force                                        | new                                              | lowered
            ``                                                | ``                                               | -
            ifpin.rules = [DENY, PIN]                         | ifpin { mode = observe, rules = [DENY, PIN] }    | ifpin.mode: enforce -> observe (no socket is pinned or refused)
            ifpin { mode = observe, rules = [DENY, PIN] }     | ifpin.rules = [DENY, PIN]                        | -
            ifpin { mode = observe, rules = [DENY, PIN] }     | ifpin { mode = enforce, rules = [ALLOW_ALL] }    | -
            ifpin { mode = observe, rules = [DENY] }          | ifpin { mode = observe }                         | -
            ifpin.rules = [DENY, PIN]                         | ifpin.rules = [DENY, PIN]                        | -
            ifpin.rules = [DENY]                              | ``                                               | rule 'd' (d: cidrs [203.0.113.0/24] -> deny) is gone or matches differently
            ifpin.rules = [DENY, PIN]                         | ifpin.rules = [DENY]                             | rule 'p' (p: cidrs [198.51.100.0/24] -> b0) is gone or matches differently
            ifpin.rules = [PIN]                               | ifpin.rules = [PIN, DENY]                        | -
            ifpin.rules = [PIN]                               | ifpin.rules = [DENY, PIN]                        | -
            ifpin.rules = [PIN]                               | ifpin.rules = [PIN_CLOSED]                       | -
            ifpin.rules = [PIN_CLOSED]                        | ifpin.rules = [PIN]                              | rule 'p': pinned to 'b0' (fail-closed) -> pinned to 'b0' (fail-open)
            ifpin { on-error = fail-closed, rules = [PIN] }   | ifpin.rules = [PIN]                              | rule 'p': pinned to 'b0' (fail-closed) -> pinned to 'b0' (fail-open)
            ifpin.rules = [PIN]                               | ifpin.rules = [{ name = p, cidrs = [\"198.51.100.0/24\"], interface = b1 }] | -
            ifpin.rules = [PIN]                               | ifpin.rules = [{ name = renamed, cidrs = [\"198.51.100.0/24\"], interface = b0 }] | -
            ifpin.rules = [DENY]                              | ifpin.rules = [{ name = d, cidrs = [\"203.0.113.0/25\"], action = deny }] | rule 'd' (d: cidrs [203.0.113.0/24] -> deny) is gone or matches differently
            ifpin.rules = [DENY]                              | ifpin.rules = [{ name = d, cidrs = [\"203.0.113.0/24\"], interface = b0 }] | rule 'd': refused (deny) -> pinned to 'b0' (fail-open)
            ifpin.rules = [ALLOW, DENY]                       | ifpin.rules = [DENY]                             | -
            ifpin.rules = [DENY]                              | ifpin.rules = [ALLOW_ALL, DENY]                  | new rule 'all' (allowed) comes before rule 'd' (refused (deny)) and may take its sockets
            ifpin.rules = [DENY, ALLOW]                       | ifpin.rules = [ALLOW, DENY]                      | rule 'a' (allowed) moved before rule 'd' (refused (deny))
            ifpin.rules = [DENY]                              | ifpin.rules = [DENY, ALLOW_ALL]                  | -
            ifpin { default-action = deny }                   | ``                                               | unmatched sockets: refused (deny) -> allowed
            ifpin { default-action = deny, rules = [PIN] }    | ifpin { rules = [PIN] }                          | unmatched sockets: refused (deny) -> allowed
            ifpin { default-action = deny, rules = [PIN] }    | ifpin { default-action = deny, rules = [PIN, ALLOW] } | new rule 'a' (allowed) may take sockets that were refused (deny) by default
            ifpin { default-action = pin, default-interface = b0, on-error = fail-closed } | ifpin { default-action = pin, default-interface = b0 } | unmatched sockets: pinned to 'b0' (fail-closed) -> pinned to 'b0' (fail-open)
            ifpin { default-action = pin, default-interface = b0 } | ifpin { default-action = deny }             | -
            ifpin { default-action = pin, default-interface = b0 } | ifpin { default-action = pin, default-interface = b1 } | -
            """)
    void loweredChanges(String inForce, String next, String expected) throws Exception {
        List<String> lowered = EnforcementChange.lowered(config(inForce), config(next));
        assertEquals(expected.equals("-") ? List.of() : List.of(expected), lowered);
    }

    /** The change the issue measured: an allow-list emptied by a truncating editor names all it loses. */
    @org.junit.jupiter.api.Test
    void anEmptiedAllowListNamesEverythingItLoses() throws Exception {
        List<String> lowered = EnforcementChange.lowered(config(
                "ifpin { default-action = deny, on-error = fail-closed, rules = [DENY, PIN] }"), config(""));
        assertEquals(3, lowered.size(), lowered.toString());
        assertTrue(lowered.get(0).startsWith("unmatched sockets: refused (deny) -> allowed"), lowered.toString());
    }
}
