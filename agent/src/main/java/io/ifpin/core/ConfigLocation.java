package io.ifpin.core;

/** Where the config file is named: the agent argument wins over {@code -Difpin.config}, which wins over the environment. */
final class ConfigLocation {

    static final String PROPERTY = "ifpin.config";
    static final String ENVIRONMENT = "IFPIN_CONFIG";

    private ConfigLocation() {
    }

    /**
     * {@link #resolve} of the agent argument, the system property and the environment variable, reading the
     * environment only when the other two name nothing: {@code System.getenv} parses the whole environment the first
     * time (five JDK classes not in the class-data archive, on every JVM's premain).
     */
    static String find(String agentArgument) {
        String location = resolve(agentArgument, System.getProperty(PROPERTY), null);
        return location != null ? location : resolve(null, null, System.getenv(ENVIRONMENT));
    }

    /** @return the first non-blank of the three, or null */
    static String resolve(String agentArgument, String systemProperty, String environment) {
        for (String candidate : new String[] {agentArgument, systemProperty, environment}) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.trim();
            }
        }
        return null;
    }
}
