package io.ifpin.config;

import io.ifpin.rules.RuleSet;

import java.util.Objects;

/**
 * A loaded and validated config.
 *
 * @param source the file it came from (or the origin name given to {@link ConfigLoader#parse}), for messages
 */
public record IfpinConfig(String source, LogSettings log, RuleSet rules) {
    public IfpinConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(rules, "rules");
    }
}
