package io.ifpin.config;

import io.ifpin.log.LogLevel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ifpin.log}: the level, and an optional file that receives the log lines too.
 * The {@code -Difpin.log.level} override is applied by the agent, not here.
 */
public record LogSettings(LogLevel level, Optional<Path> file) {
    public LogSettings {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(file, "file");
    }
}
