package io.ifpin.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files the child JVMs read: hosts file, agent configs; and temp-dir housekeeping. */
public final class TestFiles {

    /**
     * Names without DNS (child JVMs get -Djdk.net.hosts.file): *.corp.example are matched by the
     * hostname rules, other*.example by no rule.
     */
    public static final String HOSTS = String.join("\n",
            "203.0.113.10 api.corp.example",
            "2001:db8:f::10 api6.corp.example",
            "203.0.113.20 other.example",
            "2001:db8:f::20 other6.example",
            "");

    private TestFiles() {
    }

    public static Path writeHosts(Path dir) {
        return write(dir.resolve("hosts"), HOSTS);
    }

    public static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** chmod, e.g. "rwxr-xr-x", so that an unprivileged child can read (or write) a path. */
    public static void chmod(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path copy(Path source, Path target) {
        try {
            Files.createDirectories(target.getParent());
            return Files.copy(source, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #copy}, over an existing target. */
    public static Path copyReplacing(Path source, Path target) {
        try {
            Files.createDirectories(target.getParent());
            return Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Best-effort recursive delete; null and missing paths are fine. */
    public static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
