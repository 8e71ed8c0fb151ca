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
}
