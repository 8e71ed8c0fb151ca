package io.ifpin.core;

/** Where the config file is named: the agent argument wins over {@code -Difpin.config}, which wins over the environment. */
final class ConfigLocation {

    static final String PROPERTY = "ifpin.config";
    static final String ENVIRONMENT = "IFPIN_CONFIG";

    private ConfigLocation() {
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
