package io.ifpin.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The JDKs every child-JVM test runs on. Resolved lazily, per test, so that a missing JDK skips
 * (or, on CI, fails) only the tests that need it. Override with -Difpin.it.jdk17=/path or
 * -Difpin.it.jdk25=/path.
 */
public enum TestJdk {
    JDK_17(17) {
        @Override
        Optional<Path> locate() {
            if (Runtime.version().feature() == 17) {
                return Optional.of(Path.of(System.getProperty("java.home"))); // the JVM running Maven
            }
            return Optional.of(Path.of("/usr/lib/jvm/java-17-openjdk-amd64")).filter(TestJdk::hasJava);
        }
    },
    JDK_25(25) {
        @Override
        Optional<Path> locate() {
            try (Stream<Path> candidates = Files.list(Path.of("/usr/lib/jvm"))) {
                return candidates.filter(p -> p.getFileName().toString().startsWith("temurin-25"))
                        .sorted()
                        .filter(TestJdk::hasJava)
                        .findFirst();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    };

    private final int feature;

    TestJdk(int feature) {
        this.feature = feature;
    }

    /** The Java feature version (17, 25): decides e.g. whether virtual threads exist. */
    public int feature() {
        return feature;
    }

    public String label() {
        return "JDK " + feature;
    }

    abstract Optional<Path> locate();

    /** The JDK's home, or an abort/failure (per {@link ItEnv#unavailable}) naming what is missing. */
    public Path home() {
        String override = System.getProperty("ifpin.it.jdk" + feature);
        Optional<Path> home = override != null ? Optional.of(Path.of(override)).filter(TestJdk::hasJava) : locate();
        return home.orElseGet(() -> ItEnv.unavailable(label() + " not found"
                        + (override != null ? " at " + override : " (looked for /usr/lib/jvm/" + (feature == 17 ? "java-17-openjdk-amd64" : "temurin-25*") + ")"),
                "install it, or point -Difpin.it.jdk" + feature + "=<java home> at one"));
    }

    public Path java() {
        return home().resolve("bin/java");
    }

    private static boolean hasJava(Path home) {
        return Files.isExecutable(home.resolve("bin/java"));
    }

    /** For callers that need the test JVM's own java (e.g. to start PeerServer). */
    public static Path currentJava() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new UncheckedIOException(new IOException("no java at " + java));
        }
        return java;
    }
}
