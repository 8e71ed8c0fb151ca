package io.ifpin.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ifpin.audit}: where decisions are written as JSON Lines, and the bounds that keep that from ever blocking or
 * filling a disk.
 *
 * @param file      no audit log when empty
 * @param maxSize   bytes after which the file is rotated to {@code <file>.1}
 * @param maxFiles  rotated files kept ({@code <file>.1} ... {@code <file>.N})
 * @param queueSize decisions held in memory for the writer thread; beyond that they are dropped and counted
 */
public record AuditSettings(Optional<Path> file, long maxSize, int maxFiles, int queueSize) {
    public static final AuditSettings OFF = new AuditSettings(Optional.empty(), 10L << 20, 5, 65_536);

    public AuditSettings {
        Objects.requireNonNull(file, "file");
    }

    public boolean enabled() {
        return file.isPresent();
    }
}
