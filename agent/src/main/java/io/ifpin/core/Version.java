package io.ifpin.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, written into {@code io/ifpin/version.properties} by the build. */
public final class Version {

    private Version() {
    }

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/io/ifpin/version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
