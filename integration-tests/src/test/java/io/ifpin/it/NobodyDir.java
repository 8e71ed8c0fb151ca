package io.ifpin.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A fresh world-readable directory with what a child JVM running as an unprivileged user needs: that user cannot read
 * the build tree or the tests' own temp directories. Holds a copy of the agent jar, the config, one test app's class
 * file and a world-writable {@code tmp} for the JVM and JNA. Delete it with {@link #close()}.
 */
final class NobodyDir implements AutoCloseable {
    private final Path dir;

    NobodyDir(String appClass, AgentConfig config) {
        dir = TestFiles.tempDir("ifpin-nobody");
        TestFiles.chmod(dir, "rwxr-xr-x");
        TestFiles.copy(ItEnv.agentJar(), agentJar());
        config.writeTo(config());
        String classFile = appClass.replace('.', '/') + ".class";
        TestFiles.copy(ItEnv.testClasses().resolve(classFile), classes().resolve(classFile));
        TestFiles.write(tmp().resolve(".keep"), "");
        TestFiles.chmod(tmp(), "rwxrwxrwx");
        makeReadableByAll();
    }

    Path dir() {
        return dir;
    }

    Path agentJar() {
        return dir.resolve("ifpin-agent.jar");
    }

    Path config() {
        return dir.resolve("ifpin.conf");
    }

    Path classes() {
        return dir.resolve("classes");
    }

    Path tmp() {
        return dir.resolve("tmp");
    }

    /** Copies {@code file} in, readable by all. */
    Path add(Path file, String name) {
        Path copy = TestFiles.copy(file, dir.resolve(name));
        TestFiles.chmod(copy, "rw-r--r--");
        return copy;
    }

    /** The JVM options that keep the child's temp files in {@link #tmp()}. */
    ChildJvm tmpOptions(ChildJvm child) {
        return child.workDir(dir).jvmOption("-Djava.io.tmpdir=" + tmp()).jvmOption("-Djna.tmpdir=" + tmp());
    }

    private void makeReadableByAll() {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.forEach(p -> {
                if (p.equals(tmp()) || p.startsWith(tmp())) {
                    return; // stays world-writable
                }
                TestFiles.chmod(p, Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--");
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        TestFiles.deleteRecursively(dir);
    }
}
