package io.ifpin.core;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.dns.NameResolution;
import org.junit.jupiter.api.Test;

import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Observe mode refuses no name lookup: a deny rule's names go to the system resolver until it enforces. */
class ObserveNameLookupTest {
    private static final String CONFIG = """
            ifpin {
              mode = %s
              rules = [ { name = no-blocked, hosts = ["blocked.example"], action = deny } ]
            }
            """;

    @Test
    void aDenyRulesNamesAreRefusedOnlyWhenEnforcing() throws Exception {
        IfpinConfig observe = ConfigLoader.parse(CONFIG.formatted("observe"), "observe.conf");
        IfpinConfig enforce = ConfigLoader.parse(CONFIG.formatted("enforce"), "observe.conf");
        NameResolution names = NameResolution.forRules(observe.rules());
        assertNotNull(names, "installed in observe mode too, so that a reload to enforce can decide names");
        names.apply(AgentInstaller.nameRules(observe));
        assertNull(names.lookup("blocked.example"), "observe: the JDK's own resolver answers");
        names.apply(AgentInstaller.nameRules(enforce));
        assertThrows(UnknownHostException.class, () -> names.lookup("blocked.example"));
        names.apply(AgentInstaller.nameRules(observe));
        assertNull(names.lookup("blocked.example"));
    }
}
