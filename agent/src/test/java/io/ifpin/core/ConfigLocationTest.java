package io.ifpin.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ConfigLocationTest {

    @Test
    void agentArgumentWinsThenPropertyThenEnvironment() {
        assertEquals("/a.conf", ConfigLocation.resolve("/a.conf", "/p.conf", "/e.conf"));
        assertEquals("/p.conf", ConfigLocation.resolve(null, "/p.conf", "/e.conf"));
        assertEquals("/p.conf", ConfigLocation.resolve("  ", "/p.conf", "/e.conf"));
        assertEquals("/e.conf", ConfigLocation.resolve(null, null, "/e.conf"));
        assertNull(ConfigLocation.resolve(null, "", null));
    }

    /** What premain uses: the same order, the environment read last (and only then). */
    @Test
    void findReadsTheArgumentThenThePropertyThenTheEnvironment() {
        String before = System.getProperty(ConfigLocation.PROPERTY);
        try {
            System.setProperty(ConfigLocation.PROPERTY, " /p.conf ");
            assertEquals("/a.conf", ConfigLocation.find("/a.conf"));
            assertEquals("/p.conf", ConfigLocation.find(" "));
            System.clearProperty(ConfigLocation.PROPERTY);
            assertEquals(ConfigLocation.resolve(null, null, System.getenv(ConfigLocation.ENVIRONMENT)),
                    ConfigLocation.find(null));
        } finally {
            if (before == null) {
                System.clearProperty(ConfigLocation.PROPERTY);
            } else {
                System.setProperty(ConfigLocation.PROPERTY, before);
            }
        }
    }
}
