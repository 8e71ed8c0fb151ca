package io.ifpin.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Builds and runs one child JVM — normally inside a lab's client namespace, optionally with the
 * agent, optionally as an unprivileged user — and captures its stdout and stderr separately.
 *
 * <p>The namespace wrapper execs the JVM in place (see netns-lab.sh), so on timeout the process we
 * kill by PID is the child JVM itself and nothing else.
 */
public final class ChildJvm {

    /** The unprivileged identity for EPERM tests: nobody/nogroup, no groups, no capabilities. */
    private static final List<String> AS_NOBODY = List.of(
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all");

    private final TestJdk jdk;
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> classpath = new ArrayList<>();
    private final List<String> programArgs = new ArrayList<>();
    private String agent;
    private String mainClass;
    private boolean asNobody;
    private List<String> privileges = List.of();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path workDir;
    private Duration timeout = Duration.ofSeconds(240);

    private ChildJvm(TestJdk jdk) {
        this.jdk = jdk;
    }

    public static ChildJvm on(TestJdk jdk) {
        return new ChildJvm(jdk);
    }

    /** {@code -javaagent:<jar>=<config>}. */
    public ChildJvm agent(Path agentJar, Path config) {
        this.agent = "-javaagent:" + agentJar + "=" + config;
        return this;
    }

    public ChildJvm jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** {@code -Djdk.net.hosts.file=...}: name resolution without DNS. */
    public ChildJvm hostsFile(Path hosts) {
        return jvmOption("-Djdk.net.hosts.file=" + hosts);
    }

    public ChildJvm classpath(Path... entries) {
        Arrays.stream(entries).map(Path::toString).forEach(classpath::add);
        return this;
    }

    public ChildJvm main(String className, String... args) {
        this.mainClass = className;
        programArgs.addAll(Arrays.asList(args));
        return this;
    }

    /** Run as uid/gid 65534 without capabilities (everything it reads must be readable by it). */
    public ChildJvm asNobody() {
        this.asNobody = true;
        return this;
    }

    /** Run under this privilege-changing prefix, e.g. a {@code setpriv} command line (instead of {@link #asNobody}). */
    public ChildJvm privileges(List<String> prefix) {
        this.privileges = List.copyOf(prefix);
        return this;
    }

    /** An environment variable for the child, e.g. {@code JAVA_TOOL_OPTIONS}. */
    public ChildJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public ChildJvm workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public ChildJvm timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Runs in the lab's client namespace. */
    public ChildResult runIn(NetnsLab lab) {
        return run(lab.inClient(command()));
    }

    /** Runs in the test's own namespace, for tests that open no sockets (e.g. invalid config). */
    public ChildResult runOnHost() {
        return run(command());
    }

    private List<String> command() {
        List<String> cmd = new ArrayList<>();
        if (asNobody) {
            cmd.addAll(AS_NOBODY);
        }
        cmd.addAll(privileges);
        cmd.add(jdk.java().toString());
        // No hsperfdata files in /tmp from dozens of short-lived JVMs (and none owned by nobody).
        cmd.add("-XX:-UsePerfData");
        if (agent != null) {
            cmd.add(agent);
        }
        cmd.addAll(jvmOptions);
        if (!classpath.isEmpty()) {
            cmd.add("-cp");
            cmd.add(String.join(File.pathSeparator, classpath));
        }
        cmd.add(mainClass);
        cmd.addAll(programArgs);
        return cmd;
    }

    private ChildResult run(List<String> cmd) {
        Path captureDir = null;
        try {
            captureDir = Files.createTempDirectory("ifpin-child");
            Path out = captureDir.resolve("stdout");
            Path err = captureDir.resolve("stderr");
            ProcessBuilder builder = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly(); // our child's PID only
                process.waitFor(10, TimeUnit.SECONDS);
            }
            return new ChildResult(cmd, finished ? process.exitValue() : -1, !finished,
                    Files.readAllLines(out, StandardCharsets.UTF_8), Files.readAllLines(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        } finally {
            TestFiles.deleteRecursively(captureDir);
        }
    }

    /** What a child JVM did. */
    public record ChildResult(List<String> command, int exitCode, boolean timedOut, List<String> stdout, List<String> stderr) {

        /** stderr lines written by the agent. */
        public List<String> agentLines() {
            return stderr.stream().filter(line -> line.contains("[ifpin]")).collect(Collectors.toList());
        }

        /** Everything needed to understand a failure, for assertion messages. */
        public String describe() {
            return "\n--- command: " + String.join(" ", command)
                    + "\n--- exit code: " + exitCode + (timedOut ? " (TIMED OUT, killed)" : "")
                    + "\n--- stdout:\n" + String.join("\n", stdout)
                    + "\n--- stderr:\n" + String.join("\n", stderr)
                    + "\n---";
        }
    }
}
