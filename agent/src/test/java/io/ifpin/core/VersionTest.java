package io.ifpin.core;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The version read by hand is the one java.util.Properties reads from the same file. */
class VersionTest {
    @Test
    void theVersionIsThePropertiesFiles() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/io/ifpin/version.properties")) {
            assertNotNull(in, "the build writes io/ifpin/version.properties");
            properties.load(in);
        }
        assertNotNull(properties.getProperty("version"));
        assertEquals(properties.getProperty("version"), Version.current());
    }
}
